"""The second factor: a code from an authenticator app (TOTP), or one of ten backup codes.

Whether a signed-in session still owes its second factor is decided once, at sign-in, and kept
in the session (`STEP_KEY`), so that ordinary requests read no device: "enrol" (an administrator
without a device sets one up), "verify" (anyone with a confirmed device types a code) or "done".
A session without the key (one from before the second factor existed) is decided on its next
request.
"""

import secrets
from base64 import b32encode
from binascii import unhexlify

import django_otp
import segno
from django.conf import settings
from django.core import signing
from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import audit
from assessments import access

STEP_KEY = "accounts.second_factor"
FAILURES_KEY = "accounts.second_factor_failures"
ENROL, VERIFY, DONE = "enrol", "verify", "done"
BACKUP_CODES = 10
# How long the secret shown on the enrolment page may wait for its first code.
ENROLMENT_MAX_AGE = 15 * 60
SALT = "accounts.second_factor.enrolment"


def step_after_password(user) -> str:
    """What the user still owes after the right password (two queries at most, once a sign-in)."""
    if user_has_device(user):
        return VERIFY
    return ENROL if access.needs_second_factor(user) else DONE


def owed(request) -> str | None:
    """The step the signed-in session still owes (ENROL or VERIFY), or None."""
    step = request.session.get(STEP_KEY)
    if step is None:
        step = request.session[STEP_KEY] = step_after_password(request.user)
    return step if step in (ENROL, VERIFY) else None


def passed(request, device):
    """The session has its second factor: a new session key, the device remembered (django-otp's way)."""
    request.session.cycle_key()
    request.session[STEP_KEY] = DONE
    request.session.pop(FAILURES_KEY, None)
    django_otp.login(request, device)


def count_failure(request) -> bool:
    """Records a wrong code; True once the session has had SECOND_FACTOR_FAILURE_LIMIT of them."""
    audit.record(request, audit.Kind.SECOND_FACTOR_FAILED)
    failures = request.session.get(FAILURES_KEY, 0) + 1
    request.session[FAILURES_KEY] = failures
    return failures >= settings.SECOND_FACTOR_FAILURE_LIMIT


# --- Enrolment ------------------------------------------------------------------------------------


def new_secret(user) -> str:
    """A fresh secret for the enrolment form, signed so that the form cannot bring its own."""
    return signing.dumps({"user": user.pk, "key": secrets.token_hex(20)}, salt=SALT)


def secret_key(user, signed: str) -> str | None:
    """The hex key of a signed secret from `new_secret`, or None if forged, someone else's or too old."""
    try:
        data = signing.loads(signed, salt=SALT, max_age=ENROLMENT_MAX_AGE)
    except signing.BadSignature:
        return None
    return data["key"] if data.get("user") == user.pk else None


def base32(key: str) -> str:
    """The key as the authenticator apps take it when typed, in groups of four."""
    text = b32encode(unhexlify(key)).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_code_svg(user, key: str) -> str:
    """The otpauth:// address of the key as an inline SVG QR code (no style attributes: the CSP)."""
    device = TOTPDevice(user=user, key=key)
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff")


def code_matches(key: str, code: str) -> bool:
    """Whether `code` is the key's code now (or one step either side, for a slow hand or clock)."""
    if not (code.isdigit() and len(code) == 6):
        return False
    totp = TOTP(unhexlify(key))
    return totp.verify(int(code), tolerance=1)


@transaction.atomic
def enrol(request, key: str) -> list[str]:
    """Gives the user the confirmed TOTP device with `key` (replacing any), and ten new backup
    codes, which are returned to be shown once."""
    user = request.user
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name="authenticator", key=key, confirmed=True)
    # The code just typed may not be used again to sign in.
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    device.last_t = totp.t()
    device.save(update_fields=["last_t"])
    backup = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=backup, token=code) for code in codes)
    audit.record(request, audit.Kind.SECOND_FACTOR_ADDED)
    passed(request, device)
    return codes


@transaction.atomic
def remove(user):
    """Takes away the user's second factor (their devices); they may enrol again."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def has_second_factor(user) -> bool:
    return user_has_device(user)


# --- Verification ---------------------------------------------------------------------------------


def normalised(code: str) -> str:
    return "".join(code.split()).lower()


def verify(user, code: str):
    """The device that accepts `code` (a six-digit app code, or a backup code used up by this),
    or None. Raises `Throttled` when the device's own throttle asks to wait."""
    code = normalised(code)
    kind = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    with transaction.atomic():
        for device in devices_for_user(user, for_verify=True):
            if not isinstance(device, kind):
                continue
            allowed, _data = device.verify_is_allowed()
            if not allowed:
                raise Throttled
            if device.verify_token(code):
                return device
    return None


class Throttled(Exception):
    """Too many wrong codes in a row on a device: it accepts none for a while."""
