"""Tokens follow their owner's account.

A password change needs no signal: the token's password fingerprint no longer matches, by any
path the password changed (``accounts.tokens``). Deactivation revokes the owner's tokens here,
so that reactivating an account does not bring old tokens back; the authentication class also
refuses an inactive owner, for a deactivation that bypassed ``save()``.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from ayni.accounts import services
from ayni.accounts.models import User


@receiver(post_save, sender=User, dispatch_uid="accounts.revoke_tokens_on_deactivation")
def revoke_tokens_on_deactivation(sender: Any, instance: User, **kwargs: Any) -> None:
    if not instance.is_active:
        services.api_tokens_revoke_all(user=instance)
