"""Ringostat's view of our organizations and contacts: the one mapping the scheduled run and the push use."""

from typing import TYPE_CHECKING, Any

from ringbridge.models.ringostat import ContactDirection, ContactPayload, OrganizationPayload, RingostatConfig

if TYPE_CHECKING:
    from ringbridge.dal.items import UserItem


def payloads(
    entity: str, items: list[dict[str, Any]], config: RingostatConfig, owners: dict[str, "UserItem"]
) -> list[dict[str, Any]]:
    """Ringostat's view of organizations or contacts (items as the table holds them)."""
    if entity == "ORGANIZATION":
        return [organization_payload(item, config) for item in items]
    return [contact_payload(item, config, owners) for item in items]


def organization_payload(organization: dict[str, Any], config: RingostatConfig) -> dict[str, Any]:
    return OrganizationPayload(
        project_id=config.project_id, name=organization["name"], external_id=organization["id"], origin=config.origin
    ).model_dump()


def contact_payload(contact: dict[str, Any], config: RingostatConfig, owners: dict[str, "UserItem"]) -> dict[str, Any]:
    full_name = _full_name(contact)
    directions = [
        ContactDirection(type="phone", name=full_name, value=phone_value(e164))
        for e164 in dict.fromkeys(phone["e164"] for phone in contact.get("phones") or [])
    ]
    directions += [
        ContactDirection(type="email", name=full_name, value=email)
        for email in dict.fromkeys(contact.get("emails") or [])
    ]
    organizations = None
    if contact.get("organization_id") and contact.get("company_name"):
        organizations = [
            OrganizationPayload(
                project_id=config.project_id,
                name=contact["company_name"],
                external_id=contact["organization_id"],
                origin=config.origin,
            )
        ]
    return ContactPayload(
        project_id=config.project_id,
        full_name=full_name,
        origin=config.origin,
        external_id=contact["id"],
        responsible=_responsible(contact, owners, config),
        contact_link=None if contact.get("erased_at") else config.link_to(contact["id"]),  # logic.erasure
        contact_directions=directions,
        organizations=organizations,
    ).model_dump()


def phone_value(e164: str) -> str:
    """Ringostat's docs ask for international format without "+": +380671112233 -> 380671112233."""
    return e164.removeprefix("+")


def _full_name(contact: dict[str, Any]) -> str:
    """fullName is mandatory: the name, else the company, an email, a number, or the id, whichever exists."""
    name = " ".join(part for part in (contact.get("first_name"), contact.get("last_name")) if part)
    fallbacks = [
        contact.get("company_name"),
        *(contact.get("emails") or []),
        *(phone["number"] for phone in contact.get("phones") or []),
    ]
    return name or next((value for value in fallbacks if value), contact["id"])


def _responsible(contact: dict[str, Any], owners: dict[str, "UserItem"], config: RingostatConfig) -> str:
    """The owner's email (what a Ringostat employee is most likely known by), else name; else the CRM's name."""
    owner = owners.get(contact.get("owner_id") or "")
    if owner:
        return owner.get("email") or owner["name"]
    return config.origin
