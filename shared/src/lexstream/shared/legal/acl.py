"""The access-control entries of a search document: ``matter:<id>`` or ``tenant:<t>``.

A document in a matter is visible through the matter; one without a matter only to its
tenant's admins. The index writes these entries and applies moves with them.
"""

from __future__ import annotations


def matter_acl(matter_id: str) -> str:
    return f"matter:{matter_id}"


def tenant_acl(tenant: str) -> str:
    return f"tenant:{tenant}"


def document_acl(tenant: str, matter_id: str | None) -> list[str]:
    """The ``acl`` of a search document in ``matter_id`` (or, without one, of its tenant)."""
    return [matter_acl(matter_id)] if matter_id else [tenant_acl(tenant)]
