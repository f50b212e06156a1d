"""Unit tests for auth-service's pure domain (services/auth/domain/model.py)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from services.auth.domain.model import (
    ProfileUpdate,
    User,
    apply_update,
    avatar_object_key,
    avatar_s3_key,
    normalize_interests,
    parse_birth_date,
)
from services.auth.domain.passwords import check_new_password, normalize_password
from services.auth.domain.sign_in_throttling import Backoff, SignInThrottling, account_key, client_key
from services.runtime.errors import FieldViolation, InvalidArgument

TODAY = date(2025, 6, 4)
CREATED = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
NOW = datetime(2025, 6, 4, 9, 30, tzinfo=UTC)


def make_user(**values: object) -> User:
    user = User(
        id="7d1f0c39-2c1b-4a8e-9a4e-3b8f5d6c7e01", email="anna@example.com", login="anna_k",
        full_name="Анна Каренина", phone="+79161234567", city="Москва", birth_date=date(1990, 5, 17),
        bio="Люблю джаз", interests=("jazz", "theatre"), avatar="", roles=("user",),
        create_time=CREATED, update_time=CREATED,
    )
    return replace(user, **values)  # type: ignore[arg-type]


def update(user: User, **fields: object) -> tuple[User, list[str]]:
    change = apply_update(user, ProfileUpdate(**fields), today=TODAY, now=NOW)  # type: ignore[arg-type]
    return change.user, change.changed


def assert_invalid(exc: pytest.ExceptionInfo[InvalidArgument], field: str) -> None:
    assert exc.value.metadata == {"field": field}
    assert [v.field for v in exc.value.violations] == [field]


class TestApplyUpdate:
    def test_empty_update_changes_nothing_and_keeps_update_time(self) -> None:
        user = make_user()
        after, changed = update(user)
        assert changed == []
        assert after is user

    def test_absent_fields_keep_their_values(self) -> None:
        user = make_user()
        after, changed = update(user, city="Казань")
        assert changed == ["city"]
        assert after == replace(user, city="Казань", update_time=NOW)

    def test_reports_only_fields_whose_value_changed(self) -> None:
        user = make_user()
        after, changed = update(user, full_name="Анна Каренина", city="Тверь", phone="+79161234567")
        assert changed == ["city"]
        assert after.full_name == user.full_name and after.phone == user.phone

    def test_same_values_after_normalisation_are_no_change(self) -> None:
        # Whitespace around text and case/duplicates in interests do not count as edits.
        user = make_user()
        after, changed = update(user, full_name="  Анна Каренина ", city=" Москва", bio="Люблю джаз  ",
                                interests=("Jazz", " theatre ", "JAZZ"), birth_date="1990-05-17")
        assert changed == []
        assert after.update_time == CREATED

    def test_text_fields_are_stripped_phone_is_stored_as_given(self) -> None:
        after, changed = update(make_user(), full_name="  Лев Толстой  ", bio="\tписатель\n", phone="+74951234567")
        assert (after.full_name, after.bio, after.phone) == ("Лев Толстой", "писатель", "+74951234567")
        assert changed == ["full_name", "phone", "bio"]

    def test_empty_strings_clear_fields(self) -> None:
        after, changed = update(make_user(), phone="", birth_date="", city="")
        assert (after.phone, after.birth_date, after.city) == ("", None, "")
        assert sorted(changed) == ["birth_date", "city", "phone"]

    def test_every_field_can_change_at_once(self) -> None:
        key = "a" * 64 + ".jpg"
        after, changed = update(make_user(), full_name="Б", phone="+12025550123", city="Сочи",
                                birth_date="2000-01-02", bio="новое", interests=("кино",), avatar=key)
        assert changed == ["full_name", "phone", "city", "birth_date", "bio", "interests", "avatar"]
        assert after.birth_date == date(2000, 1, 2) and after.interests == ("кино",) and after.avatar == key
        assert after.update_time == NOW and after.create_time == CREATED

    def test_identity_and_credentials_never_change(self) -> None:
        user = make_user()
        after, _ = update(user, full_name="Другое имя")
        assert (after.id, after.email, after.login, after.roles) == (user.id, user.email, user.login, user.roles)

    def test_invalid_birth_date_rejects_the_whole_update(self) -> None:
        with pytest.raises(InvalidArgument) as exc:
            update(make_user(), city="Казань", birth_date="1990-02-30")
        assert_invalid(exc, "birthDate")


class TestBirthDate:
    @pytest.mark.parametrize("value", ["1900-01-01", "1990-05-17", TODAY.isoformat()])
    def test_accepts_dates_from_1900_to_today(self, value: str) -> None:
        assert parse_birth_date(value, TODAY) == date.fromisoformat(value)

    def test_empty_string_means_unknown(self) -> None:
        assert parse_birth_date("", TODAY) is None

    @pytest.mark.parametrize("value", ["1899-12-31", "2025-06-05", "2999-01-01"])
    def test_rejects_dates_outside_the_range(self, value: str) -> None:
        with pytest.raises(InvalidArgument) as exc:
            parse_birth_date(value, TODAY)
        assert_invalid(exc, "birthDate")
        assert "between" in exc.value.violations[0].description

    @pytest.mark.parametrize("value", ["1990-02-30", "1990-13-01", "17.05.1990", "yesterday"])
    def test_rejects_non_calendar_dates(self, value: str) -> None:
        with pytest.raises(InvalidArgument) as exc:
            parse_birth_date(value, TODAY)
        assert_invalid(exc, "birthDate")
        assert "calendar date" in exc.value.violations[0].description


class TestInterests:
    def test_lowercases_collapses_whitespace_and_drops_duplicates_keeping_order(self) -> None:
        raw = ("  Джаз ", "Современное   искусство", "ДЖАЗ", "театр", "современное искусство", " ", "")
        assert normalize_interests(raw) == ("джаз", "современное искусство", "театр")

    def test_at_most_thirty_distinct_interests(self) -> None:
        thirty = tuple(f"topic {i}" for i in range(30))
        assert normalize_interests(thirty) == thirty
        # Duplicates do not count against the limit ...
        assert len(normalize_interests((*thirty, "TOPIC 0"))) == 30
        # ... a 31st distinct one does.
        with pytest.raises(InvalidArgument) as exc:
            normalize_interests((*thirty, "topic 30"))
        assert exc.value.violations == [FieldViolation("interests", "at most 30 interests")]


class TestAvatarKey:
    def test_is_sha256_hex_of_email_login_unix_nano_plus_jpg(self) -> None:
        # sha256("anna@example.com:anna_k:1732623600123456789"), computed independently.
        expected = "9b9a0f29b253958a0ae041d29c73c7f7fb72850e810d65488b51d032bf85548d.jpg"
        assert avatar_object_key("anna@example.com", "anna_k", 1732623600123456789) == expected

    def test_format_and_inputs_all_matter(self) -> None:
        base = avatar_object_key("a@b.ru", "login", 1)
        assert re.fullmatch(r"[0-9a-f]{64}\.jpg", base)
        assert len({base, avatar_object_key("a@b.ru", "login", 2), avatar_object_key("c@b.ru", "login", 1),
                    avatar_object_key("a@b.ru", "other", 1)}) == 4

    def test_objects_live_under_the_avatars_prefix(self) -> None:
        assert avatar_s3_key("abc.jpg") == "avatars/abc.jpg"


def test_profile_update_lists_present_fields() -> None:
    assert ProfileUpdate().present() == []
    assert ProfileUpdate(city="", interests=()).present() == ["city", "interests"]


# Sign-in throttling rules (services/auth/domain/sign_in_throttling.py)


def test_backoff_is_free_then_doubles_up_to_its_cap() -> None:
    rule = Backoff(free=3, cap_seconds=60, window_seconds=3600)
    assert [rule.wait_after(n) for n in range(12)] == [0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert rule.wait_after(10**6) == 60  # no overflow however long an attack runs


def test_default_rules_never_hold_anyone_back_longer_than_five_minutes() -> None:
    rules = SignInThrottling()
    assert max(rules.account.wait_after(n) for n in range(1000)) == 300
    assert max(rules.client.wait_after(n) for n in range(1000)) == 300


@pytest.mark.parametrize(("address", "key"), [
    ("203.0.113.7", "203.0.113.7"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),  # one host owns a whole /64
    ("2001:db8:1:2:ffff::9", "2001:db8:1:2::/64"),
    ("::ffff:203.0.113.7", "203.0.113.7"),
    ("not-an-ip", "not-an-ip"),
    ("", "unknown"),
])
def test_clients_are_counted_by_address_and_ipv6_by_its_64(address: str, key: str) -> None:
    assert client_key(address) == key


def test_account_keys_match_as_the_lookup_does_and_hide_the_identifier() -> None:
    assert account_key(" Anna ") == account_key("anna") == account_key("ＡＮＮＡ")  # case, spaces, width
    assert account_key("anna") != account_key("anna@example.com")
    assert "anna" not in account_key("anna") and len(account_key("x" * 254)) == 32


# Password rules (services/auth/domain/passwords.py)

COMMON = {"password", "12345678", "qwertyuiop"}


def new_password(password: str, login: str = "anna_karenina", email: str = "anna.k@example.com") -> str:
    return check_new_password(password, login=login, email=email, is_common=lambda p: p.lower() in COMMON)


@pytest.mark.parametrize(("password", "reason"), [
    ("password", "PASSWORD_TOO_COMMON"),
    ("PassWord", "PASSWORD_TOO_COMMON"),  # the list is case-insensitive
    ("12345678", "PASSWORD_TOO_COMMON"),
    ("１２３４５６７８", "PASSWORD_TOO_COMMON"),  # full-width digits are digits (NFKC)
    (" " * 8, "PASSWORD_BLANK"),
    ("\u3000" * 8, "PASSWORD_BLANK"),  # ideographic spaces are spaces
    ("\t \n \t  \r", "PASSWORD_BLANK"),
    ("anna_karenina", "PASSWORD_CONTAINS_IDENTITY"),  # the login itself
    ("ANNA_KARENINA", "PASSWORD_CONTAINS_IDENTITY"),
    ("my-Anna_Karenina-2025", "PASSWORD_CONTAINS_IDENTITY"),
    ("ａｎｎａ＿ｋａｒｅｎｉｎａ", "PASSWORD_CONTAINS_IDENTITY"),  # full-width forms are the same letters
    ("anna.k-password", "PASSWORD_CONTAINS_IDENTITY"),  # the e-mail's name
    ("e\u0301" * 4, "PASSWORD_TOO_SHORT"),  # 8 code points as typed (NFD), 4 characters
])
def test_weak_passwords_are_refused_on_the_password_field(password: str, reason: str) -> None:
    with pytest.raises(InvalidArgument) as exc:
        new_password(password)
    assert exc.value.reason == reason
    assert [v.field for v in exc.value.violations] == ["password"] and exc.value.violations[0].description


def test_a_short_identifier_forbids_only_itself() -> None:
    assert new_password("bob-the-builder-9", login="bob", email="b@example.com") == "bob-the-builder-9"
    with pytest.raises(InvalidArgument):
        new_password("b@example.com-1", login="bob", email="b@example.com")  # the whole e-mail is not
    with pytest.raises(InvalidArgument):
        new_password("bob", login="bob", email="b@example.com")


def test_the_password_is_hashed_in_its_nfkc_form() -> None:
    nfd, nfc = unicodedata.normalize("NFD", "Ёлка-в-лесу-2025"), unicodedata.normalize("NFC", "Ёлка-в-лесу-2025")
    assert nfd != nfc
    assert new_password(nfd) == new_password(nfc) == normalize_password(nfd) == nfc
    assert normalize_password("ﬁre-ﬂy-ｐａｓｓ") == "fire-fly-pass"
