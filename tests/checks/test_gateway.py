"""Phase inventory: TUN-GW-01..04 (docs/checks.md), one example per clause."""

from __future__ import annotations

import pytest
from tunnelcheck.checks.gateway import (
    gateway_unchanged as GW_03,
)
from tunnelcheck.checks.gateway import (
    profiles_point_at_sites as GW_02,
)
from tunnelcheck.checks.gateway import (
    servers_healthy as GW_01,
)
from tunnelcheck.checks.gateway import (
    udp_while_standalone as GW_04,
)

from tunnelcheck.check import Check, Finding
from tunnelcheck.model.resources import Resource
from tunnelcheck.testing import (
    DEFENDER,
    Case,
    android_profile,
    configuration,
    exclusion,
    group_target,
    ios_profile,
    params,
    server,
    should_error,
    should_fail,
    should_pass,
    should_skip,
    site,
    tenant,
    tunnel_configuration,
)

G1, G2 = group_target("g1"), group_target("g2")


def std(*targets: dict, pid: str = "p-std", **extra: object) -> dict:
    """An Android standalone profile on site s1 unless ``microsoftTunnelSiteId`` is given."""
    return android_profile(pid, targets=targets, **{"microsoftTunnelSiteId": "s1", **extra})


def mde(*targets: dict, pid: str = "p-mde", **extra: object) -> dict:
    return android_profile(
        pid, connection=DEFENDER, targets=targets, **{"microsoftTunnelSiteId": "s1", **extra}
    )


def ios(*targets: dict, pid: str = "p-ios", connection: str = DEFENDER, **extra: object) -> dict:
    return ios_profile(
        pid, connection=connection, targets=targets, **{"microsoftTunnelSiteId": "s1", **extra}
    )


def gw(*sites: dict, profiles: list | None = None) -> object:
    return tenant(profiles=[] if profiles is None else profiles, sites=list(sites))


HEALTHY_SITE = site("s1", server("srv-1"), server("srv-2"))
UNHEALTHY_STATUSES = [
    "unhealthy",
    "warning",
    "offline",
    "upgradeInProgress",
    "upgradeFailed",
    "unknown",
    "someStatusGraphAddsLater",
]

GW_01_CASES = [
    should_skip("no site and no profile", gw(), "no Tunnel site and no Tunnel profile"),
    should_skip(
        "other configurations are not Tunnel profiles",
        gw(
            profiles=[
                configuration("win"),
                ios_profile(
                    "p-mde-wp", connection="customVpn", identifier="com.microsoft.scmx", targets=[G1]
                ),
            ]
        ),
        "no Tunnel site and no Tunnel profile",
    ),
    should_pass("every server healthy", gw(HEALTHY_SITE, profiles=[std(G1)])),
    should_pass("healthy site without any profile", gw(HEALTHY_SITE)),
    should_pass("several sites, all healthy", gw(HEALTHY_SITE, site("s2", server("srv-3")))),
    # Enum values compare case-insensitively (docs/terms.md); before, "Healthy" failed as not healthy.
    should_pass("status values compare case-insensitively", gw(site("s1", server("srv-1", "Healthy")))),
    *[
        should_fail(f"server {status}", gw(site("s1", server("srv-1"), server("srv-2", status))), "srv-2")
        for status in UNHEALTHY_STATUSES
    ],
    should_fail(
        "a server without a health status is unknown", gw(site("s1", server("srv-1", None))), "srv-1"
    ),
    should_fail(
        "a status Graph does not define is not healthy", gw(site("s1", server("srv-1", "healthyish"))), "srv-1"
    ),
    should_fail("site without servers", gw(site("s1")), "s1", reason="1 Tunnel site has no server: s1"),
    should_fail(
        "every problem of every site is named",
        gw(HEALTHY_SITE, site("s2", server("srv-3", "offline"), server("srv-4", "warning")), site("s3")),
        "srv-3",
        "srv-4",
        "s3",
        reason="1 Tunnel site has no server: s3; 2 servers are not healthy: srv-3 (offline) and srv-4 (warning)",
    ),
    should_fail("Tunnel profiles but no site", gw(profiles=[std(G1)]), "-",
                reason="no Tunnel site exists, but 1 Tunnel profile does"),
    should_fail("Tunnel profiles but no site: counted", gw(profiles=[std(G1), mde(G1)]), "-",
                reason="no Tunnel site exists, but 2 Tunnel profiles do"),
    should_fail("an unassigned Defender profile is a Tunnel profile too", gw(profiles=[mde()]), "-"),
    should_error("sites not recorded", tenant(profiles=[]), Resource.TUNNEL_SITES),
    should_error("configurations not recorded", tenant(sites=[HEALTHY_SITE]), Resource.DEVICE_CONFIGURATIONS),
]

GW_02_CASES = [
    should_pass("no profile at all", gw(HEALTHY_SITE)),
    should_pass(
        "assigned profiles on an existing site", gw(HEALTHY_SITE, profiles=[std(G1), mde(G1), ios(G1)])
    ),
    should_pass("a site with unhealthy servers still exists", gw(site("s1"), profiles=[std(G1)])),
    should_pass(
        "an unassigned profile without a site is ignored",
        gw(HEALTHY_SITE, profiles=[std(microsoftTunnelSiteId="")]),
    ),
    should_pass(
        "an unassigned profile on an unknown site is ignored",
        gw(HEALTHY_SITE, profiles=[mde(microsoftTunnelSiteId="gone")]),
    ),
    should_pass(
        "a profile with only exclusions is not assigned",
        gw(HEALTHY_SITE, profiles=[std(exclusion("g1"), microsoftTunnelSiteId="gone")]),
    ),
    should_pass(
        "a non-Tunnel VPN profile needs no site",
        gw(HEALTHY_SITE, profiles=[ios_profile("p-mde-wp", connection="customVpn", targets=[G1])]),
    ),
    should_fail("empty site id", gw(HEALTHY_SITE, profiles=[std(G1, microsoftTunnelSiteId="")]), "p-std",
                reason="1 assigned Tunnel profile points at no existing Tunnel site: p-std (no site set)"),
    should_fail("null site id", gw(HEALTHY_SITE, profiles=[mde(G1, microsoftTunnelSiteId=None)]), "p-mde"),
    should_fail(
        "absent site id",
        gw(HEALTHY_SITE, profiles=[android_profile("p-bare", connection=DEFENDER, targets=[G1])]),
        "p-bare",
    ),
    should_fail(
        "unknown site", gw(HEALTHY_SITE, profiles=[ios(G1, microsoftTunnelSiteId="s-deleted")]), "p-ios"
    ),
    should_fail("no site at all", gw(profiles=[std(G1)]), "p-std"),
    should_fail(
        "only the offending profiles are named",
        gw(
            HEALTHY_SITE,
            site("s2", server("srv-9")),
            profiles=[
                std(G1),
                mde(G1, microsoftTunnelSiteId="s2"),
                ios(G1, pid="p-ios-a", microsoftTunnelSiteId="s9"),
                ios(G1, pid="p-ios-b", connection="microsoftTunnel", microsoftTunnelSiteId=""),
            ],
        ),
        "p-ios-a",
        "p-ios-b",
        reason="2 assigned Tunnel profiles point at no existing Tunnel site: p-ios-a (site s9 does not exist) and "
        "p-ios-b (no site set)",
    ),
    should_error("sites not recorded", tenant(profiles=[std(G1)]), Resource.TUNNEL_SITES),
]


def gateway(*sites: dict, configurations: tuple[dict, ...] = (tunnel_configuration(),)) -> object:
    return tenant(sites=list(sites), tunnel_configurations=list(configurations))


BASELINE = gateway(HEALTHY_SITE)

GW_03_CASES = [
    should_skip("no baseline", BASELINE, "needs --baseline"),
    should_pass("unchanged", gateway(HEALTHY_SITE), baseline=BASELINE),
    should_pass(
        "nothing recorded and nothing now", gateway(configurations=()), baseline=gateway(configurations=())
    ),
    should_pass(
        "lastUpdateDateTime is ignored",
        gateway(
            HEALTHY_SITE, configurations=(tunnel_configuration(lastUpdateDateTime="2026-11-30T00:00:00Z"),)
        ),
        baseline=BASELINE,
    ),
    should_pass(
        "upgradeAvailable is ignored",
        gateway(site("s1", server("srv-1"), server("srv-2"), upgradeAvailable=True)),
        baseline=BASELINE,
    ),
    should_pass(
        "servers' health is run-time state",
        gateway(site("s1", server("srv-1", "offline"), server("srv-2", "upgradeInProgress"))),
        baseline=BASELINE,
    ),
    should_pass(
        "servers added and removed are run-time state",
        gateway(site("s1", server("srv-1"), server("srv-3"), server("srv-4"))),
        baseline=BASELINE,
    ),
    should_pass(
        "absent, null and empty are the same",
        gateway(
            site("s1", server("srv-1"), server("srv-2"), description=None),
            configurations=(tunnel_configuration(routeExcludes=[]),),
        ),
        baseline=gateway(
            site("s1", server("srv-1"), server("srv-2"), advancedSettings={}),
            configurations=(tunnel_configuration(),),
        ),
    ),
    should_fail(
        "site setting changed",
        gateway(site("s1", server("srv-1"), publicAddress="vpn2.contoso.com")),
        "s1",
        baseline=BASELINE,
        reason="1 Tunnel site differs from the baseline: changed s1 (publicAddress)",
    ),
    should_fail(
        "sites and server configurations are counted apart",
        gateway(site("s1", server("srv-1"), publicAddress="vpn2.contoso.com"), site("s2"), site("s3"),
                configurations=(tunnel_configuration(listenPort=8443, dnsServers=["1.1.1.1"]),)),
        "s1", "s2", "s3", "cfg-1",
        baseline=BASELINE,
        reason="3 Tunnel sites differ from the baseline: added s2 and s3; changed s1 (publicAddress); "
        "1 server configuration differs from the baseline: changed cfg-1 (dnsServers and listenPort)",
    ),
    should_fail(
        "site's server configuration changed",
        gateway(site("s1", server("srv-1"), configuration_id="cfg-2")),
        "s1",
        baseline=BASELINE,
    ),
    should_fail("site added", gateway(HEALTHY_SITE, site("s2", server("srv-9"))), "s2", baseline=BASELINE),
    should_fail("site removed", gateway(), "s1", baseline=BASELINE),
    should_fail(
        "server configuration changed",
        gateway(HEALTHY_SITE, configurations=(tunnel_configuration(listenPort=8443),)),
        "cfg-1",
        baseline=BASELINE,
    ),
    should_fail(
        "UDP disabled is a change",
        gateway(HEALTHY_SITE, configurations=(tunnel_configuration(disable_udp=True),)),
        "cfg-1",
        baseline=BASELINE,
    ),
    should_fail(
        "server configuration added",
        gateway(HEALTHY_SITE, configurations=(tunnel_configuration(), tunnel_configuration("cfg-2"))),
        "cfg-2",
        baseline=BASELINE,
    ),
    should_fail(
        "server configuration removed", gateway(HEALTHY_SITE, configurations=()), "cfg-1", baseline=BASELINE,
        reason="1 server configuration differs from the baseline: removed cfg-1",
    ),
    should_fail(
        "a list setting is compared whole",
        gateway(HEALTHY_SITE, configurations=(tunnel_configuration(dnsServers=["10.0.0.4", "1.1.1.1"]),)),
        "cfg-1",
        baseline=BASELINE,
    ),
    should_error(
        "sites not recorded", tenant(tunnel_configurations=[]), Resource.TUNNEL_SITES, baseline=BASELINE
    ),
    should_error(
        "configurations not recorded", tenant(sites=[]), Resource.TUNNEL_CONFIGURATIONS, baseline=BASELINE
    ),
    should_error(
        "baseline configurations not recorded",
        gateway(HEALTHY_SITE),
        Resource.TUNNEL_CONFIGURATIONS,
        baseline=tenant(sites=[HEALTHY_SITE]),
    ),
]


def udp(
    *profiles: dict, configurations: tuple[dict, ...] = (tunnel_configuration(disable_udp=True),)
) -> object:
    return tenant(profiles=list(profiles), tunnel_configurations=list(configurations))


GW_04_CASES = [
    should_skip("no server configuration", udp(std(G1), configurations=()), "no Tunnel server configuration"),
    should_pass("UDP disabled, no profile", udp()),
    should_pass("UDP disabled, only Defender profiles", udp(mde(G1), ios(G1))),
    should_pass("UDP disabled, standalone profile not assigned", udp(std())),
    should_pass("UDP disabled, standalone profile with only exclusions", udp(std(exclusion("g1")))),
    should_pass(
        "UDP enabled with standalone profiles assigned",
        udp(std(G1), configurations=(tunnel_configuration(disable_udp=False),)),
    ),
    should_pass(
        "disableUdpConnections absent is enabled",
        udp(std(G1), configurations=(tunnel_configuration(disable_udp=None),)),
    ),
    should_fail("UDP disabled, Android standalone profile assigned", udp(std(G1), mde(G1)), "cfg-1",
                reason="1 server configuration (cfg-1) disables UDP while 1 standalone profile is still assigned: "
                "p-std"),
    should_fail(
        "UDP disabled by two configurations, two standalone profiles assigned",
        udp(std(G1), ios(G2, connection="microsoftTunnel"),
            configurations=(tunnel_configuration("cfg-1", disable_udp=True),
                            tunnel_configuration("cfg-2", disable_udp=True))),
        "cfg-1", "cfg-2",
        reason="2 server configurations (cfg-1 and cfg-2) disable UDP while 2 standalone profiles are still "
        "assigned: p-std and p-ios",
    ),
    should_fail(
        "UDP disabled, iOS standalone profile assigned", udp(ios(G1, connection="microsoftTunnel")), "cfg-1"
    ),
    should_fail(
        "only the configuration that disables UDP",
        udp(
            std(G1),
            configurations=(tunnel_configuration("cfg-1"), tunnel_configuration("cfg-2", disable_udp=True)),
        ),
        "cfg-2",
    ),
    should_error("configurations not recorded", tenant(profiles=[std(G1)]), Resource.TUNNEL_CONFIGURATIONS),
    should_error(
        "profiles not recorded",
        tenant(tunnel_configurations=[tunnel_configuration()]),
        Resource.DEVICE_CONFIGURATIONS,
    ),
]

CASES: dict[Check, list[Case]] = {
    GW_01: GW_01_CASES,
    GW_02: GW_02_CASES,
    GW_03: GW_03_CASES,
    GW_04: GW_04_CASES,
}


@pytest.mark.parametrize(("check", "case"), params(CASES))
def test_gateway(check: Check, case: Case) -> None:
    case.verify(check)


# ---------------------------------------------------------------------------------------------------
# The evidence itself


def failures(case: Case, check: Check) -> list[Finding]:
    return [f for f in case.verify(check).evidence if not f.ok]


def test_gw01_evidence_names_status_and_site() -> None:
    [row] = failures(
        should_fail(
            "", gw(site("s1", server("srv-1", "someStatusGraphAddsLater"), name="Contoso-EU")), "srv-1"
        ),
        GW_01,
    )
    assert (row.object_type, row.property, row.value) == (
        "server",
        "tunnelServerHealthStatus",
        "someStatusGraphAddsLater",
    )
    assert "Contoso-EU" in row.note


def test_gw01_healthy_servers_are_listed_as_inspected() -> None:
    verdict = should_pass("", gw(HEALTHY_SITE)).verify(GW_01)
    assert [(f.object_id, f.value, f.ok) for f in verdict.evidence] == [
        ("srv-1", "healthy", True),
        ("srv-2", "healthy", True),
    ]


def test_gw03_change_lists_property_baseline_and_current_value() -> None:
    current = gateway(
        site("s1", server("srv-1"), publicAddress="vpn2.contoso.com", name="Contoso-EU"),
        configurations=(tunnel_configuration(listenPort=8443, lastUpdateDateTime="2027-01-01T00:00:00Z"),),
    )
    baseline = gateway(site("s1", server("srv-1"), publicAddress="vpn.contoso.com", name="Contoso-EU"))
    rows = failures(should_fail("", current, "s1", "cfg-1", baseline=baseline), GW_03)
    assert {(r.object_type, r.object_id, r.property, r.baseline, r.value) for r in rows} == {
        ("site", "s1", "publicAddress", "vpn.contoso.com", "vpn2.contoso.com"),
        ("server configuration", "cfg-1", "listenPort", "443", "8443"),
    }
    assert {r.object_name for r in rows} == {"Contoso-EU", "cfg-1"}


def test_gw03_nested_property_path() -> None:
    rows = failures(
        should_fail("", gateway(site("s1", configuration_id="cfg-2")), "s1", baseline=gateway(site("s1"))),
        GW_03,
    )
    # Ids are shown with the name of what they name, as in `tunnelcheck diff` ("cfg-1" is that
    # configuration's display name in the baseline; cfg-2 names nothing in either tenant).
    assert [(r.property, r.baseline, r.value) for r in rows] == [
        ("microsoftTunnelConfiguration.id", "cfg-1 (cfg-1)", "cfg-2")
    ]


def test_gw03_added_and_removed_objects() -> None:
    rows = failures(
        should_fail(
            "", gateway(site("s2"), configurations=()), "s1", "s2", "cfg-1", baseline=gateway(site("s1"))
        ),
        GW_03,
    )
    assert {(r.object_id, r.property, r.baseline, r.value) for r in rows} == {
        ("s1", "(object)", "present", "removed"),
        ("s2", "(object)", "absent", "added"),
        ("cfg-1", "(object)", "present", "removed"),
    }


def test_gw03_ignored_fields_are_not_reported() -> None:
    current = gateway(
        site("s1", server("srv-1", "offline"), upgradeAvailable=True),
        configurations=(tunnel_configuration(lastUpdateDateTime="2027-01-01T00:00:00Z"),),
    )
    verdict = should_pass("", current, baseline=gateway(site("s1", server("srv-1")))).verify(GW_03)
    assert {(f.object_id, f.property, f.value) for f in verdict.evidence} == {
        ("s1", "(settings)", "unchanged"),
        ("cfg-1", "(settings)", "unchanged"),
    }


def test_gw04_evidence_names_the_standalone_profiles() -> None:
    [row] = failures(should_fail("", udp(std(G1, name="Tunnel AE"), mde(G1)), "cfg-1"), GW_04)
    assert (row.property, row.value) == ("disableUdpConnections", "true")
    assert "Tunnel AE" in row.note and "1 standalone profile" in row.note
