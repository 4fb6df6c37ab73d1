"""Device-side evidence: Defender profiles deploy cleanly, and the standalone app is gone from devices."""

from __future__ import annotations

from collections.abc import Sequence

from tunnelcheck import (
    ANDROID_KINDS,
    IOS_KINDS,
    Context,
    DataUnavailable,
    Finding,
    Phase,
    Platform,
    Resource,
    Severity,
    Verdict,
    check,
    clauses,
    counted,
    defender_profiles,
    named,
)

_DETECTED = "detected app"
_COUNT = "deviceCount"


@check(
    id="TUN-DEV-02", title="Defender profiles deploy without errors",
    phase=Phase.PROFILES_CREATED, platform=Platform.DEVICES, severity=Severity.HIGH,
    needs=[Resource.DEVICE_CONFIGURATIONS],
    remediation="""
        Open the VPN profile's Device status and resolve the errors and conflicts (a conflict usually
        means two VPN profiles, or a Defender app configuration policy and the VPN profile's custom
        settings, target the same device); after the profile deploys, have devices check in or sync.""",
)
def defender_profiles_deploy(ctx: Context) -> Verdict:
    """For each assigned Defender profile: deviceStatusOverview errorCount + failedCount + conflictCount
    must not exceed migration.max_profile_errors (default 0). A profile whose status was not recorded
    makes the check error."""
    limit = ctx.config.max_profile_errors
    too_many = f"more device errors, failures and conflicts than the limit of {limit}"
    for profile in defender_profiles(ctx.tenant, [*ANDROID_KINDS, *IOS_KINDS], assigned_only=True):
        status = profile.status
        if status is None:
            raise DataUnavailable(f"{Resource.DEVICE_CONFIGURATIONS}/{profile.id}/deviceStatusOverview",
                                  "not recorded", Resource.DEVICE_CONFIGURATIONS.permission)
        problems = status.error + status.failed + status.conflict
        detail = f"errors {status.error}, failed {status.failed}, conflicts {status.conflict} (limit {limit})"
        record = ctx.evidence.ok if problems <= limit else ctx.evidence.fail
        record(profile, "deviceStatusOverview", problems, detail)
    return ctx.verdict(passed="every assigned Defender profile deploys within the error limit",
                       failed=lambda failures: named([f"{f.label} with {f.value}" for f in failures],
                                                     f"Defender profile reports {too_many}",
                                                     f"Defender profiles report {too_many}"))


@check(
    id="TUN-DEV-01", title="No device still has the standalone Tunnel app",
    phase=Phase.CLEANUP, platform=Platform.DEVICES, severity=Severity.MEDIUM,
    needs=[Resource.DETECTED_APPS],
    remediation="""
        Make sure the standalone Microsoft Tunnel app has an Uninstall assignment covering these devices,
        then have the devices sync; a device that keeps the app after that needs the app removed by its
        user or a wipe of the work profile.""",
)
def standalone_app_gone_from_devices(ctx: Context) -> Verdict:
    """A detected app is the standalone app when its displayName, trimmed and in any case, equals one of
    migration.standalone_app_names or one of migration.standalone_app_ids (Android devices often report
    the package id as the name). Fails for every managed device listed under such a detected app, and for
    such an app whose deviceCount > 0 but which lists no device. A matching app whose device list was not
    recorded, or a detected app without a name that counts devices, makes the check error."""
    for app in ctx.tenant.detected_apps:
        if not ctx.config.is_standalone_detected_app(app.display_name):
            continue
        ref = ("detected app", app.id, f"{app.display_name} {app.platform or ''}".strip())
        if app.devices is None:
            note = ctx.tenant.info.note(Resource.DETECTED_APPS)
            narrowed = (f" ({note}): record the tenant again with this run's migration.standalone_app_names "
                        "and standalone_app_ids") if note else ""
            raise DataUnavailable(f"{Resource.DETECTED_APPS}/{app.id}/managedDevices", "not recorded" + narrowed,
                                  Resource.DETECTED_APPS.permission)
        for device in app.devices:
            ctx.evidence.fail(device, _DETECTED, app.display_name, f"detected app {app.id}")
        if app.device_count > 0 and not app.devices:
            ctx.evidence.fail(ref, _COUNT, app.device_count, "devices not listed")
        elif not app.devices:
            ctx.evidence.ok(ref, _COUNT, app.device_count)
    return ctx.verdict(passed="no device reports the standalone Tunnel app", failed=_devices_with_app)


def _devices_with_app(failures: Sequence[Finding]) -> str:
    """The devices listed with the standalone app (each once), and the detected apps that count devices
    without listing them."""
    devices = {f.object_id: f.label for f in failures if f.property == _DETECTED}
    unlisted = [f"{f.label} ({counted(int(f.value), 'device')})" for f in failures if f.property == _COUNT]
    return clauses(named(list(devices.values()), "device still has the standalone Tunnel app",
                         "devices still have the standalone Tunnel app"),
                   named(unlisted, "detected standalone app counts devices without listing them",
                         "detected standalone apps count devices without listing them"))
