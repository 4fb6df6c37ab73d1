"""Phase inventory: the Tunnel Gateway is healthy, referenced correctly, and unchanged by the migration."""

from __future__ import annotations

from tunnelcheck import (
    SITE,
    Context,
    HealthStatus,
    Names,
    Phase,
    Platform,
    Resource,
    Severity,
    Verdict,
    check,
    gateway_diffs,
)

from .drift import record_evidence


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
        ctx.evidence.fail(("site", "-", "Microsoft Tunnel site"), "exists", False,
                          f"{len(ctx.tenant.profiles)} Tunnel profile(s) exist but no Tunnel site does")
    for site in sites:
        if not site.servers:
            ctx.evidence.fail(("site", site.id, site.display_name), "servers", [], "site without servers")
        for server in site.servers:
            record = ctx.evidence.ok if server.health is HealthStatus.HEALTHY else ctx.evidence.fail
            record(("server", server.id, server.display_name), "tunnelServerHealthStatus", server.health,
                   f"site {site.display_name}")
    return ctx.verdict(passed="every Tunnel Gateway server is healthy",
                       failed="{n} Tunnel Gateway problem(s)")


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
    return ctx.verdict(passed="every assigned Tunnel profile points at an existing site",
                       failed="{n} assigned Tunnel profile(s) point at no existing site")


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
    for diff in gateway_diffs(ctx.baseline, ctx.tenant, Names(ctx.baseline, ctx.tenant)):
        record_evidence(ctx.evidence, [diff], "site" if diff.kind == SITE else "server configuration")
    return ctx.verdict(passed="Tunnel sites and server configurations are unchanged since the baseline",
                       failed="{n} Tunnel Gateway difference(s) from the baseline")


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
    for configuration in configurations:
        ref = ("server configuration", configuration.id, configuration.display_name)
        if configuration.disable_udp and standalone:
            ctx.evidence.fail(ref, "disableUdpConnections", True, f"{len(standalone)} standalone profile(s) "
                              f"still assigned: {', '.join(p.display_name for p in standalone)}")
        else:
            ctx.evidence.ok(ref, "disableUdpConnections", configuration.disable_udp)
    return ctx.verdict(passed="UDP is available to every remaining standalone client",
                       failed="{n} server configuration(s) disable UDP while standalone profiles are assigned")
