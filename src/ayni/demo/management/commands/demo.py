import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from ayni.accounts.services import country_office_ensure, demo_admin_ensure
from ayni.demo.indicators import load_demo_indicators
from ayni.demo.programme import load_default_programme
from ayni.geography.services import geography_load_peru
from ayni.monitoring import analytics


class Command(BaseCommand):
    help = (
        "Load Peru's geography, the default programme (Peru 2012–2016, facts with citations "
        "plus illustrative records), its child indicators and a demo administrator, and build "
        "the analytics store. Safe to re-run."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = geography_load_peru()
        self.stdout.write(
            f"Geography of Peru: {summary.created} created, {summary.updated} updated, "
            f"{summary.unchanged} unchanged."
        )
        from ayni.geography.models import Country

        office = country_office_ensure(
            code="peru",
            name_es="UNICEF Perú",
            name_en="UNICEF Peru",
            country=Country.objects.get(iso2="PE"),
        )
        admin = demo_admin_ensure(office=office)
        loaded = load_default_programme(office)
        self.stdout.write(
            f"{loaded.programme}: "
            + ("loaded." if loaded.created else "already loaded, left as it is.")
        )
        indicators = load_demo_indicators(office.country)
        refreshed = analytics.refresh()
        self.stdout.write(
            f"Indicators: {indicators.indicators}, {indicators.values} values added "
            "(cited values with their source; the rest illustrative)."
        )
        self.stdout.write(f"Analytics store: {refreshed}")
        # The password is shown when the account is made and kept in the local data folder
        # (never in the repository) so that `make run` can show it again until it is changed.
        secret_file = Path(settings.DATA_DIR) / "demo-admin.txt"
        if admin.password:
            secret_file.parent.mkdir(parents=True, exist_ok=True)
            secret_file.write_text(f"{admin.username}\n{admin.password}\n", encoding="utf-8")
            os.chmod(secret_file, 0o600)
        self._print_login(admin.username, secret_file)

    def _print_login(self, username: str, secret_file: Path) -> None:
        user = get_user_model().objects.get(username=username)
        password = None
        if secret_file.exists():
            lines = secret_file.read_text(encoding="utf-8").splitlines()
            if len(lines) >= 2 and lines[0] == username and user.check_password(lines[1]):
                password = lines[1]
        if password:
            self.stdout.write(self.style.SUCCESS(f"Demo login: {username} / {password}"))
            self.stdout.write(f"Change it with: .venv/bin/ayni changepassword {username}")
        else:
            self.stdout.write(
                f"Demo login: {username} (password changed since it was created; "
                f"reset it with: .venv/bin/ayni changepassword {username})"
            )
