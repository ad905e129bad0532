from tests.conftest import call


def test_create_then_find(tenant, no_scan):
    created = call(
        "POST",
        "/ringotel/contacts",
        tenant.rw_token,
        json_body={
            "first_name": "Ivan",
            "last_name": "Franko",
            "company_name": "Acme",
            "phones": [{"number": "+380 44 111 11 11", "type": "work"}],
            "emails": ["ivan@example.com"],
        },
    )
    assert created.status == 201, created.body
    print(created.body)
    for text in ["+380 44 111 11 11", "380441111111", "0441111111", "(044) 111-11-11", "00380441111111"]:
        del no_scan[:]
        found = call("GET", "/ringotel/contacts/find", tenant.ro_token, query={"phone": text})
        assert found.status == 200
        assert [c["id"] for c in found.body["contacts"]] == [created.body["id"]]
        print(no_scan)
