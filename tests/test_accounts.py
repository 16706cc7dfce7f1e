"""Staff accounts: scrypt hashes, checked names and passwords, no user enumeration by result."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from directory_data import accounts
from directory_data.accounts import (
    AccountError,
    add_user,
    authenticate,
    hash_password,
    verify_password,
)
from directory_data.models import Role

PASSWORD = "correct horse battery"

#: These tests hash at the production cost (the rest of the suite hashes cheaper: tests/conftest.py).
pytestmark = pytest.mark.production_hashing


def test_hash_is_salted_scrypt_and_verifies() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first.startswith("scrypt$") and first != second
    assert (accounts.SCRYPT_N, accounts.SCRYPT_R, accounts.SCRYPT_P) == (2**15, 8, 1)
    assert first.startswith(f"scrypt${2**15}$8$1$"), "the production cost is stored with the hash"
    assert verify_password(first, PASSWORD)
    assert not verify_password(first, PASSWORD + "!")
    assert not verify_password("garbage", PASSWORD)


def test_add_and_authenticate(db_session: Session) -> None:
    user = add_user(db_session, " Officer.Diaz ", PASSWORD, Role.officer)
    db_session.commit()
    assert user.name == "officer.diaz" and PASSWORD not in user.password_hash
    assert user.password_hash.startswith(f"scrypt${2**15}$8$1$")
    assert authenticate(db_session, "OFFICER.DIAZ", PASSWORD) == user
    assert authenticate(db_session, "officer.diaz", "wrong password!!") is None
    assert authenticate(db_session, "nobody", PASSWORD) is None
    user.active = False
    assert authenticate(db_session, "officer.diaz", PASSWORD) is None


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [("a", PASSWORD, "name"), ("has space", PASSWORD, "name"), ("ok-name", "short", "password")],
)
def test_bad_accounts_are_refused(db_session: Session, name: str, password: str, message: str) -> None:
    with pytest.raises(AccountError, match=message):
        add_user(db_session, name, password)


def test_names_are_unique(db_session: Session) -> None:
    add_user(db_session, "diaz", PASSWORD)
    with pytest.raises(AccountError, match="taken"):
        add_user(db_session, "Diaz", PASSWORD)
