"""API serializers of finance. Every write goes through ``finance.services``.

Related records offered to a writer (programmes, results, grants, agreements, organisations)
are limited by the one permission check to what the user may see (their office's records), so
an id from another office reads as unknown.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Model
from rest_framework import serializers

from ayni.core.serializers import ProvenanceSerializer, ScopedSerializerMixin
from ayni.core.workflow_api import StepSerializer
from ayni.finance import services
from ayni.finance.models import (
    Allocation,
    BudgetLine,
    CashTransfer,
    Donor,
    ExchangeRate,
    Expenditure,
    FundingType,
    Grant,
    GrantInstalment,
)
from ayni.finance.selectors import with_allocated


class ServiceSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    """Related fields limited to what the user may pick; subclasses write through a service
    (whose refusals the API's exception handler answers as 400, naming the field)."""


def _replace(old: Model, new: Model) -> None:
    # A change of the natural key (currency and date, result/year/type) is a new record.
    if old.pk != new.pk:
        old.delete()


class FundingTypeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = FundingType
        fields = ["id", "code", "name", "name_es", "name_en", "position"]


class ExchangeRateSerializer(ServiceSerializer, ProvenanceSerializer):
    class Meta:
        model = ExchangeRate
        fields = ["id", "currency", "date", "units_per_usd", "source", "is_illustrative"]
        validators: list[Any] = []  # setting a rate twice updates it

    def create(self, validated_data: dict[str, Any]) -> ExchangeRate:
        return services.exchange_rate_set(**validated_data)

    @transaction.atomic
    def update(self, instance: ExchangeRate, validated_data: dict[str, Any]) -> ExchangeRate:
        values = {f: getattr(instance, f) for f in self.Meta.fields if f != "id"}
        rate = services.exchange_rate_set(**{**values, **validated_data})
        _replace(instance, rate)
        return rate


class BudgetLineSerializer(ServiceSerializer, ProvenanceSerializer):
    funding_type: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", queryset=FundingType.objects.all()
    )
    programme = serializers.IntegerField(source="result.programme_id", read_only=True)

    class Meta:
        model = BudgetLine
        fields = [
            "id",
            "programme",
            "result",
            "year",
            "funding_type",
            "amount",
            "currency",
            "source",
            "is_illustrative",
        ]
        validators: list[Any] = []  # setting a line twice updates it

    def create(self, validated_data: dict[str, Any]) -> BudgetLine:
        return services.budget_line_set(**validated_data)

    @transaction.atomic
    def update(self, instance: BudgetLine, validated_data: dict[str, Any]) -> BudgetLine:
        names = ["result", "year", "funding_type", "amount", "currency", "source"]
        values = {f: getattr(instance, f) for f in [*names, "is_illustrative"]}
        line = services.budget_line_set(**{**values, **validated_data})
        _replace(instance, line)
        return line


class DonorSerializer(ServiceSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = Donor
        fields = ["id", "organisation", "name", "code"]

    def create(self, validated_data: dict[str, Any]) -> Donor:
        return services.donor_ensure(**validated_data)

    def update(self, instance: Donor, validated_data: dict[str, Any]) -> Donor:
        organisation = validated_data.get("organisation", instance.organisation)
        if organisation.pk != instance.organisation_id:
            raise serializers.ValidationError(
                {"organisation": "A donor record stays with its organisation."}
            )
        return services.donor_ensure(
            organisation=organisation,
            code=validated_data.get("code", instance.code),
        )


class GrantInstalmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = GrantInstalment
        fields = ["id", "due_date", "amount", "received_date"]
        read_only_fields = ["id", "received_date"]


def money(**kwargs: Any) -> serializers.DecimalField:
    """A read-only amount, written as a string with two decimals."""
    return serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True, **kwargs)


class GrantSerializer(ServiceSerializer, ProvenanceSerializer):
    funding_type: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", queryset=FundingType.objects.all()
    )
    donor_name = serializers.CharField(source="donor.__str__", read_only=True)
    instalments = GrantInstalmentSerializer(many=True, read_only=True)
    allocated = money(help_text="Sum of allocations, in the grant's currency.")
    available = money(help_text="Amount less allocations, in the grant's currency.")

    class Meta:
        model = Grant
        fields = [
            "id",
            "programme",
            "donor",
            "donor_name",
            "reference",
            "title",
            "funding_type",
            "amount",
            "currency",
            "stage",
            "probability",
            "signed_date",
            "start_date",
            "expiry_date",
            "earmark",
            "earmarked_result",
            "source",
            "is_illustrative",
            "allocated",
            "available",
            "instalments",
        ]
        validators: list[Any] = []  # the service names the reference when it is taken

    def create(self, validated_data: dict[str, Any]) -> Grant:
        grant = services.grant_create(**validated_data)
        return with_allocated(Grant.objects.filter(pk=grant.pk)).get()

    def update(self, instance: Grant, validated_data: dict[str, Any]) -> Grant:
        fixed = {
            name: value
            for name, value in validated_data.items()
            if name not in services.GRANT_EDITABLE and getattr(instance, name) != value
        }
        if fixed:
            name = sorted(fixed)[0]
            hint = " Use the advance action." if name == "stage" else ""
            raise serializers.ValidationError(
                {name: f"This field cannot be changed once the grant exists.{hint}"}
            )
        changes = {k: v for k, v in validated_data.items() if k in services.GRANT_EDITABLE}
        grant = services.grant_update(grant=instance, **changes)
        return with_allocated(Grant.objects.filter(pk=grant.pk)).get()


class GrantAdvanceSerializer(StepSerializer):
    """The stage to move to, the day it took effect (the signature date when signing) and,
    for ``received`` (it cannot be undone), ``"confirm": true``."""

    stage = serializers.ChoiceField(choices=Grant.Stage.choices)


class InstalmentAddSerializer(serializers.Serializer):
    due_date = serializers.DateField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=Decimal("0.01"))


class AllocationSerializer(ServiceSerializer, ProvenanceSerializer):
    currency = serializers.CharField(source="grant.currency", read_only=True)
    programme = serializers.IntegerField(source="grant.programme_id", read_only=True)

    class Meta:
        model = Allocation
        fields = [
            "id",
            "programme",
            "grant",
            "result",
            "year",
            "amount",
            "currency",
            "date",
            "is_illustrative",
        ]

    def create(self, validated_data: dict[str, Any]) -> Allocation:
        return services.allocation_create(**validated_data)


class ExpenditureSerializer(ServiceSerializer, ProvenanceSerializer):
    programme = serializers.IntegerField(source="result.programme_id", read_only=True)

    class Meta:
        model = Expenditure
        fields = [
            "id",
            "programme",
            "result",
            "grant",
            "year",
            "date",
            "amount",
            "currency",
            "description",
            "is_illustrative",
        ]

    def create(self, validated_data: dict[str, Any]) -> Expenditure:
        return services.expenditure_record(**validated_data)


class CashTransferSerializer(ServiceSerializer, ProvenanceSerializer):
    class Meta:
        model = CashTransfer
        fields = [
            "id",
            "agreement",
            "result",
            "grant",
            "modality",
            "date",
            "amount",
            "currency",
            "is_illustrative",
        ]

    def create(self, validated_data: dict[str, Any]) -> CashTransfer:
        return services.cash_transfer_record(**validated_data)


class FiguresSerializer(serializers.Serializer):
    planned = money()
    funded = money()
    gap = money()
    funded_pct = serializers.DecimalField(max_digits=7, decimal_places=1, read_only=True)
    spent = money()
    utilization_pct = serializers.DecimalField(
        max_digits=7, decimal_places=1, read_only=True, allow_null=True
    )
    outlook = money()
    currency = serializers.CharField(read_only=True)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        # The outlook adds up every grant's pipeline: only for who may read the office's
        # grant figures (the view says so in the context; absent, it is left out).
        if not self.context.get("grant_figures"):
            data.pop("outlook", None)
        return data


class FundingRowSerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True, allow_null=True)
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    figures = FiguresSerializer(read_only=True)


class WarningSerializer(serializers.Serializer):
    kind = serializers.CharField(read_only=True)
    message = serializers.CharField(read_only=True)
    url = serializers.CharField(read_only=True)
