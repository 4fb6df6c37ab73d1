"""Phase inventory: the Tunnel Gateway is healthy, referenced correctly, and unchanged by the migration."""

from __future__ import annotations

from collections.abc import Sequence

from tunnelcheck import (
    SITE,
    Context,
    Finding,
    HealthStatus,
    Names,
    Phase,
    Platform,
    Resource,
    Severity,
    Verdict,
    check,
    clauses,
    counted,
    gateway_diffs,
    listed,
    named,
)

from .drift import diff_reason, record_evidence


@check(
    id="TUN-GW-01", title="Tunnel Gateway servers are healthy",
    phase=Phase.INVENTORY, platform=Platform.GATEWAY, severity=Severity.HIGH,
    needs=[Resource.TUNNEL_SITES, Resource.DEVICE_CONFIGURATIONS],
    remediation="""
        In Tenant administration > Microsoft Tunnel Gateway > Servers, investigate each server that is
        not Healthy (its health checks show why); install a server in every site. Clients connect to a
        site's servers whichever client app they use.""",
)
def servers_healthy(ctx: Context) -> Verdict:
    """Fails for each server of each site whose tunnelServerHealthStatus is not healthy, for each site
    without servers, and when Tunnel profiles exist but no site does. Skipped when neither exists."""
    sites = ctx.tenant.sites
    if not sites:
        if not ctx.tenant.profiles:
            ctx.skip("no Tunnel site and no Tunnel profile")
        profiles = counted(len(ctx.tenant.profiles), "Tunnel profile does", "Tunnel profiles do")
        ctx.evidence.fail(("site", "-", "Microsoft Tunnel site"), "exists", False,
                          f"no Tunnel site exists, but {profiles}")
    for site in sites:
        if not site.servers:
            ctx.evidence.fail(("site", site.id, site.display_name), "servers", [], "site without servers")
        for server in site.servers:
            record = ctx.evidence.ok if server.health is HealthStatus.HEALTHY else ctx.evidence.fail
            record(("server", server.id, server.display_name), "tunnelServerHealthStatus", server.health,
                   f"site {site.display_name}")
    return ctx.verdict(passed="every Tunnel Gateway server is healthy", failed=_gateway_problems)


def _gateway_problems(failures: Sequence[Finding]) -> str:
    """No site at all; sites without a server; servers not healthy (with their state)."""
    return clauses(*(f.note for f in failures if f.property == "exists"),
                   named([f.label for f in failures if f.property == "servers"], "Tunnel site has no server",
                         "Tunnel sites have no server"),
                   named([f"{f.label} ({f.value})" for f in failures if f.property == "tunnelServerHealthStatus"],
                         "server is not healthy", "servers are not healthy"))


@check(
    id="TUN-GW-02", title="Tunnel profiles point at an existing Tunnel site",
    phase=Phase.INVENTORY, platform=Platform.GATEWAY, severity=Severity.HIGH,
    needs=[Resource.DEVICE_CONFIGURATIONS, Resource.TUNNEL_SITES],
    remediation="""
        Edit the VPN profile and select an existing site under Base VPN > Connection (Microsoft Tunnel
        site); a profile without a site gives devices no server to connect to.""",
)
def profiles_point_at_sites(ctx: Context) -> Verdict:
    """Fails for each assigned Tunnel profile whose microsoftTunnelSiteId is empty or names no current
    site."""
    sites = {s.id: s for s in ctx.tenant.sites}
    for profile in ctx.tenant.profiles:
        if not profile.assigned:
            continue
        if profile.site_id in sites:
            ctx.evidence.ok(profile, "microsoftTunnelSiteId", profile.site_id, sites[profile.site_id].display_name)
        else:
            ctx.evidence.fail(profile, "microsoftTunnelSiteId", profile.site_id,
                              "empty" if not profile.site_id else "names no current Tunnel site")
    return ctx.verdict(passed="every assigned Tunnel profile points at an existing site", failed=_without_site)


def _without_site(failures: Sequence[Finding]) -> str:
    return named([f"{f.label} ({'no site set' if f.note == 'empty' else f'site {f.value} does not exist'})"
                  for f in failures], "assigned Tunnel profile points at no existing Tunnel site",
                 "assigned Tunnel profiles point at no existing Tunnel site")


@check(
    id="TUN-GW-03", title="Tunnel Gateway settings are unchanged since the baseline",
    phase=Phase.INVENTORY, platform=Platform.GATEWAY, severity=Severity.MEDIUM,
    needs=[Resource.TUNNEL_SITES, Resource.TUNNEL_CONFIGURATIONS],
    remediation="""
        The server settings stay exactly the same regardless of the client you're using: revert the
        site and server configuration changes listed, or accept them by recording a new baseline.""",
)
def gateway_unchanged(ctx: Context) -> Verdict:
    """Needs --baseline (else skipped). Sites and server configurations added, removed or changed (ignoring
    lastUpdateDateTime, upgradeAvailable and the servers' run-time state) fail, each difference listed as
    property, baseline value, current value."""
    if ctx.baseline is None:
        ctx.skip("needs --baseline (the snapshot to compare the gateway settings with)")
    diffs = gateway_diffs(ctx.baseline, ctx.tenant, Names(ctx.baseline, ctx.tenant))
    for diff in diffs:
        record_evidence(ctx.evidence, [diff], "site" if diff.kind == SITE else "server configuration")
    return ctx.verdict(passed="Tunnel sites and server configurations are unchanged since the baseline",
                       failed=lambda _failures: diff_reason(diffs))


@check(
    id="TUN-GW-04", title="UDP stays enabled while standalone clients remain",
    phase=Phase.INVENTORY, platform=Platform.GATEWAY, severity=Severity.HIGH,
    needs=[Resource.TUNNEL_CONFIGURATIONS, Resource.DEVICE_CONFIGURATIONS],
    remediation="""
        The standalone Tunnel client needs UDP: turn Disable UDP Connections off in the server
        configuration until no standalone profile is assigned, and disable UDP only after every client
        uses Defender for Endpoint.""",
)
def udp_while_standalone(ctx: Context) -> Verdict:
    """Fails when a server configuration has disableUdpConnections true while any standalone profile is
    assigned. Skipped when there is no configuration."""
    configurations = ctx.tenant.tunnel_configurations
    if not configurations:
        ctx.skip("no Tunnel server configuration")
    standalone = [p for p in ctx.tenant.profiles if p.standalone and p.assigned]
    still_assigned = named([p.display_name for p in standalone], "standalone profile is still assigned",
                           "standalone profiles are still assigned")
    for configuration in configurations:
        ref = ("server configuration", configuration.id, configuration.display_name)
        if configuration.disable_udp and standalone:
            ctx.evidence.fail(ref, "disableUdpConnections", True, still_assigned)
        else:
            ctx.evidence.ok(ref, "disableUdpConnections", configuration.disable_udp)
    return ctx.verdict(passed="UDP is available to every remaining standalone client",
                       failed=lambda failures: f"{_disabling(failures)} UDP while {still_assigned}")


def _disabling(failures: Sequence[Finding]) -> str:
    """"2 server configurations (A and B) disable"."""
    names = [f.label for f in failures]
    return counted(len(names), f"server configuration ({listed(names)}) disables",
                   f"server configurations ({listed(names)}) disable")
