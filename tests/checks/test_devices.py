"""Device-side evidence: TUN-DEV-02 (profiles-created) and TUN-DEV-01 (cleanup), one example per clause."""

from __future__ import annotations

import pytest
from tunnelcheck.checks.devices import (
    defender_profiles_deploy as DEV_02,
)
from tunnelcheck.checks.devices import (
    standalone_app_gone_from_devices as DEV_01,
)

from tunnelcheck.check import Check, run_check
from tunnelcheck.config import MigrationConfig
from tunnelcheck.model.resources import Resource
from tunnelcheck.testing import (
    DEFENDER,
    Case,
    android_profile,
    detected_app,
    exclusion,
    group_target,
    ios_profile,
    managed_device,
    params,
    should_error,
    should_fail,
    should_pass,
    status_overview,
    tenant,
)

G1 = group_target("g1")
CLEAN = status_overview(40)


def mde(pid: str = "p-mde", *, kind: str = "android-device-owner", targets: tuple[dict, ...] = (G1,),
        status: dict | None = CLEAN, connection: str = DEFENDER) -> dict:
    extra = {} if status is None else {"deviceStatusOverview": status}
    if kind == "ios":
        return ios_profile(pid, connection=connection, targets=targets, **extra)
    return android_profile(pid, kind=kind, connection=connection, targets=targets, **extra)


def profiles(*items: dict) -> object:
    return tenant(profiles=list(items))


LIMIT_2 = MigrationConfig(max_profile_errors=2)

DEV_02_CASES = [
    should_pass("no profile", profiles()),
    should_pass("no errors", profiles(mde(), mde("p-ios", kind="ios"), mde("p-wp", kind="android-work-profile"))),
    should_pass("pending and not-applicable devices are no errors",
                profiles(mde(status=status_overview(10, pending=30, not_applicable=7)))),
    should_pass("counts absent are zero", profiles(mde(status={"id": "overview", "successCount": 3}))),
    should_pass("standalone profiles are not checked",
                profiles(mde("p-std", connection="microsoftTunnel", status=status_overview(error=9)))),
    should_pass("unassigned Defender profiles are not checked",
                profiles(mde(targets=(), status=status_overview(error=9)))),
    should_pass("a Defender profile with only exclusions is not assigned",
                profiles(mde(targets=(exclusion("g1"),), status=status_overview(conflict=4)))),
    should_pass("an unassigned profile without a status is not needed", profiles(mde(targets=(), status=None))),
    should_pass("at the limit", profiles(mde(status=status_overview(error=1, conflict=1))), config=LIMIT_2),
    should_fail("one error", profiles(mde(status=status_overview(40, error=1))), "p-mde",
                reason="1 Defender profile reports more device errors, failures and conflicts than the limit of 0: "
                "p-mde with 1"),
    should_fail("one failed", profiles(mde(status=status_overview(40, failed=1))), "p-mde"),
    should_fail("one conflict", profiles(mde(status=status_overview(40, conflict=1))), "p-mde"),
    should_fail("above the limit: error + failed + conflict",
                profiles(mde(status=status_overview(error=1, failed=1, conflict=1))), "p-mde", config=LIMIT_2,
                reason="1 Defender profile reports more device errors, failures and conflicts than the limit of 2: "
                "p-mde with 3"),
    should_fail("iOS Defender profiles too", profiles(mde(), mde("p-ios", kind="ios", status=status_overview(error=2))),
                "p-ios"),
    should_fail("every offending profile is named",
                profiles(mde("p-1", status=status_overview(failed=3)), mde("p-2"),
                         mde("p-3", kind="android-work-profile", status=status_overview(conflict=1))), "p-1", "p-3",
                reason="2 Defender profiles report more device errors, failures and conflicts than the limit of 0: "
                "p-1 with 3 and p-3 with 1"),
    should_error("configurations not recorded", tenant(apps=[]), Resource.DEVICE_CONFIGURATIONS),
    should_error("deviceStatusOverview not recorded", profiles(mde(), mde("p-nostatus", status=None)),
                 Resource.DEVICE_CONFIGURATIONS),
]


def detected(*apps: dict) -> object:
    return tenant(detected_apps=list(apps))


D1, D2 = managed_device("dev-1"), managed_device("dev-2", name="FIELD-GALAXY-07")
LEGACY_NAMES = MigrationConfig(standalone_app_names=("Tunnel Legacy", "Microsoft Tunnel"))
ONLY_LEGACY = MigrationConfig(standalone_app_names=("Tunnel Legacy",))

DEV_01_CASES = [
    should_pass("no detected app", detected()),
    should_pass("other apps on devices", detected(detected_app("da-edge", D1, D2, name="Microsoft Edge"))),
    should_pass("Microsoft Tunnel on no device", detected(detected_app("da-tunnel"))),
    should_pass("the name must be equal, not contained",
                detected(detected_app("da-x", D1, name="Microsoft Tunnel Gateway"),
                         detected_app("da-y", D2, name="Microsoft Defender"))),
    should_pass("another app's deviceCount does not count",
                detected(detected_app("da-edge", name="Microsoft Edge", device_count=12))),
    should_pass("custom names replace the default", detected(detected_app("da-tunnel", D1)), config=ONLY_LEGACY),
    should_fail("devices with Microsoft Tunnel", detected(detected_app("da-tunnel", D1, D2)), "dev-1", "dev-2",
                reason="2 devices still have the standalone Tunnel app: DEV-1 and FIELD-GALAXY-07"),
    should_fail("name in lower case", detected(detected_app("da-tunnel", D1, name="microsoft tunnel")), "dev-1",
                reason="1 device still has the standalone Tunnel app: DEV-1"),
    should_fail("a device listed under two names of the app is one device",
                detected(detected_app("da-legacy", D1, name="Tunnel Legacy"), detected_app("da-tunnel", D1)),
                "dev-1", config=LEGACY_NAMES, reason="1 device still has the standalone Tunnel app: DEV-1"),
    should_fail("listed devices and an app that counts devices without listing them",
                detected(detected_app("da-tunnel", D1), detected_app("da-ios", platform="ios", device_count=1),
                         detected_app("da-old", name="com.microsoft.tunnel", device_count=4)),
                "dev-1", "da-ios", "da-old",
                reason="1 device still has the standalone Tunnel app: DEV-1; 2 detected standalone apps count "
                "devices without listing them: Microsoft Tunnel ios (1 device) and com.microsoft.tunnel "
                "androidDeviceAdministrator (4 devices)"),
    should_fail("name in upper case", detected(detected_app("da-tunnel", D1, name="MICROSOFT TUNNEL")), "dev-1"),
    should_fail("custom name, any case", detected(detected_app("da-legacy", D2, name="tunnel legacy")), "dev-2",
                config=LEGACY_NAMES),
    should_fail("every listed name counts", detected(detected_app("da-legacy", D2, name="Tunnel Legacy"),
                                                     detected_app("da-tunnel", D1)), "dev-1", "dev-2",
                config=LEGACY_NAMES),
    should_fail("one detected app per platform and version",
                detected(detected_app("da-and", D1), detected_app("da-ios", managed_device("dev-3", os="iOS"),
                                                                  platform="ios")), "dev-1", "dev-3"),
    should_fail("deviceCount > 0 without devices: the app itself", detected(detected_app("da-tunnel", device_count=3)),
                "da-tunnel"),
    should_fail("listed devices fail even when deviceCount says 0",
                detected(detected_app("da-tunnel", D1, device_count=0)), "dev-1"),
    should_error("detected apps not recorded", tenant(profiles=[]), Resource.DETECTED_APPS),
]

CASES: dict[Check, list[Case]] = {DEV_02: DEV_02_CASES, DEV_01: DEV_01_CASES}


@pytest.mark.parametrize(("check", "case"), params(CASES))
def test_devices(check: Check, case: Case) -> None:
    case.verify(check)


def test_dev02_missing_status_names_the_profile_resource() -> None:
    verdict = run_check(DEV_02, profiles(mde(), mde("p-nostatus", status=None)), None, MigrationConfig())
    assert verdict.outcome == "error"
    assert "deviceManagement/deviceConfigurations/p-nostatus/deviceStatusOverview" in verdict.reason
    assert "DeviceManagementConfiguration.Read.All" in verdict.reason


def test_dev02_evidence_counts_each_kind() -> None:
    verdict = should_fail("", profiles(mde(status=status_overview(error=1, failed=2, conflict=3))), "p-mde",
                          config=LIMIT_2).verify(DEV_02)
    [row] = verdict.evidence
    assert (row.property, row.value) == ("deviceStatusOverview", "6")
    assert row.note == "errors 1, failed 2, conflicts 3 (limit 2)"


def test_dev01_evidence_names_device_and_detected_app() -> None:
    verdict = should_fail("", detected(detected_app("da-tunnel", D2)), "dev-2").verify(DEV_01)
    [row] = verdict.evidence
    assert (row.object_type, row.object_name, row.value) == ("device", "FIELD-GALAXY-07", "Microsoft Tunnel")
    assert "da-tunnel" in row.note


def test_dev_01_errors_when_the_tunnel_apps_devices_were_not_recorded() -> None:
    """The collector records device lists for the Tunnel app only: a missing one is never read as none."""
    unrecorded = {"id": "da-1", "displayName": "Microsoft Tunnel", "deviceCount": 2}
    other = {"id": "da-2", "displayName": "Contoso CRM", "deviceCount": 9}
    verdict = run_check(DEV_01, tenant(detected_apps=[unrecorded, other]), None, MigrationConfig())
    assert verdict.outcome == "error"
    assert verdict.reason == ("deviceManagement/detectedApps/da-1/managedDevices: not recorded "
                              "(needs Graph permission DeviceManagementManagedDevices.Read.All)")
