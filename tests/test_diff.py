"""tunnelcheck.diff.changes: the one definition of "what changed" (gateway drift, drift checks, tunnelcheck diff)."""

from __future__ import annotations

import pytest

from tunnelcheck.diff import Change, changes

SITE = {
    "@odata.type": "#microsoft.graph.microsoftTunnelSite", "id": "s1", "displayName": "Contoso-EU",
    "publicAddress": "tunnel.contoso.com", "upgradeAvailable": False,
    "microsoftTunnelConfiguration": {"id": "cfg-1"},
    "proxyServer": {"address": "proxy.contoso.com", "port": 8080},
    "dnsServers": ["10.0.0.4", "1.1.1.1"],
}


def test_equal_objects_have_no_change() -> None:
    assert changes(SITE, dict(SITE)) == []


def test_top_level_change() -> None:
    assert changes(SITE, SITE | {"publicAddress": "vpn.contoso.com"}) == [
        Change("publicAddress", "tunnel.contoso.com", "vpn.contoso.com")]


def test_nested_paths_are_dotted() -> None:
    new = SITE | {"proxyServer": {"address": "proxy.contoso.com", "port": 3128},
                  "microsoftTunnelConfiguration": {"id": "cfg-2"}}
    assert changes(SITE, new) == [Change("microsoftTunnelConfiguration.id", "cfg-1", "cfg-2"),
                                  Change("proxyServer.port", 8080, 3128)]


def test_deeply_nested_path() -> None:
    assert changes({"a": {"b": {"c": {"d": 1}}}}, {"a": {"b": {"c": {"d": 2}}}}) == [Change("a.b.c.d", 1, 2)]


def test_added_and_removed_properties() -> None:
    old = {"id": "x", "gone": "yes"}
    new = {"id": "x", "added": 5}
    assert changes(old, new) == [Change("added", None, 5), Change("gone", "yes", None)]


def test_added_nested_object_lists_its_leaves() -> None:
    assert changes({"id": "x"}, {"id": "x", "proxyServer": {"address": "p", "port": 80}}) == [
        Change("proxyServer.address", None, "p"), Change("proxyServer.port", None, 80)]


def test_changes_come_in_path_order() -> None:
    old = {"z": 1, "a": 1, "m": {"b": 1, "a": 1}}
    new = {"z": 2, "a": 2, "m": {"b": 2, "a": 2}}
    assert [c.path for c in changes(old, new)] == ["a", "m.a", "m.b", "z"]


def test_an_object_replaced_by_a_scalar() -> None:
    assert changes({"proxyServer": {"port": 80}}, {"proxyServer": None}) == [Change("proxyServer.port", 80, None)]


@pytest.mark.parametrize("ignore", [{"upgradeAvailable"}, ["upgradeAvailable"], ("upgradeAvailable",)])
def test_ignored_key_at_top_level(ignore) -> None:
    assert changes(SITE, SITE | {"upgradeAvailable": True}, ignore=ignore) == []


def test_ignored_key_at_any_depth() -> None:
    old = {"a": {"lastUpdateDateTime": "2026-01-01T00:00:00Z", "b": {"lastUpdateDateTime": "x", "v": 1}},
           "lastUpdateDateTime": "t0"}
    new = {"a": {"lastUpdateDateTime": "2027-01-01T00:00:00Z", "b": {"lastUpdateDateTime": "y", "v": 2}},
           "lastUpdateDateTime": "t1"}
    assert changes(old, new, ignore={"lastUpdateDateTime"}) == [Change("a.b.v", 1, 2)]


def test_ignored_key_drops_the_whole_subtree() -> None:
    old = {"id": "s1", "microsoftTunnelServers": [{"id": "srv-1", "tunnelServerHealthStatus": "healthy"}]}
    new = {"id": "s1", "microsoftTunnelServers": [{"id": "srv-1", "tunnelServerHealthStatus": "offline"},
                                                  {"id": "srv-2"}]}
    assert changes(old, new, ignore={"microsoftTunnelServers"}) == []


def test_ignored_dotted_path_only_there() -> None:
    old = {"proxyServer": {"port": 80}, "port": 1}
    new = {"proxyServer": {"port": 81}, "port": 2}
    assert changes(old, new, ignore={"proxyServer.port"}) == [Change("port", 1, 2)]


def test_odata_context_is_always_ignored() -> None:
    assert changes({"@odata.context": "https://graph/a", "id": "x"}, {"@odata.context": "https://graph/b", "id": "x"}) == []


def test_odata_type_is_compared() -> None:
    assert changes({"@odata.type": "#a"}, {"@odata.type": "b"}) == [Change("@odata.type", "#a", "#b")]


def test_odata_type_is_compared_as_a_type() -> None:
    """Graph writes "#microsoft.graph.x", its documentation "microsoft.graph.x": one type (docs/terms.md).
    A baseline exported in the documented form must not drift against a live recording."""
    documented = {"@odata.type": "microsoft.graph.iosVpnConfiguration",
                  "assignments": [{"target": {"@odata.type": "microsoft.graph.groupAssignmentTarget", "groupId": "g"}}]}
    live = {"@odata.type": "#microsoft.graph.iosVpnConfiguration",
            "assignments": [{"target": {"@odata.type": "#Microsoft.Graph.GroupAssignmentTarget", "groupId": "g"}}]}
    assert changes(documented, live) == []


@pytest.mark.parametrize(("old", "new"), [
    ({}, {"routeExcludes": None}),
    ({}, {"routeExcludes": []}),
    ({}, {"advancedSettings": {}}),
    ({"routeExcludes": None}, {"routeExcludes": []}),
    ({"advancedSettings": {}}, {"advancedSettings": None}),
    ({"routeExcludes": []}, {"routeExcludes": {}}),
    ({"proxyServer": {"address": None}}, {}),
], ids=["absent/null", "absent/empty list", "absent/empty object", "null/empty list", "empty object/null",
        "empty list/empty object", "nested null/absent"])
def test_absent_null_and_empty_are_equal(old, new) -> None:
    assert changes(old, new) == []
    assert changes(new, old) == []


@pytest.mark.parametrize("value", [False, 0])
def test_false_and_zero_are_values(value) -> None:
    # Absent, null and empty are "nothing"; false and 0 are recorded values.
    assert changes({}, {"x": value}) == [Change("x", None, value)]


def test_lists_are_compared_whole() -> None:
    old = {"dnsServers": ["10.0.0.4", "1.1.1.1"]}
    assert changes(old, {"dnsServers": ["10.0.0.4", "8.8.8.8"]}) == [
        Change("dnsServers", ["10.0.0.4", "1.1.1.1"], ["10.0.0.4", "8.8.8.8"])]


def test_list_order_matters() -> None:
    old = {"dnsServers": ["10.0.0.4", "1.1.1.1"]}
    assert changes(old, {"dnsServers": ["1.1.1.1", "10.0.0.4"]}) == [
        Change("dnsServers", ["10.0.0.4", "1.1.1.1"], ["1.1.1.1", "10.0.0.4"])]


def test_lists_of_objects_are_one_change_not_paths_into_them() -> None:
    old = {"onDemandRules": [{"action": "connect", "domains": ["a"]}]}
    new = {"onDemandRules": [{"action": "connect", "domains": ["b"]}]}
    assert [c.path for c in changes(old, new)] == ["onDemandRules"]


def test_objects_inside_lists_compare_by_canonical_json() -> None:
    old = {"onDemandRules": [{"action": "connect", "domains": ["a"]}]}
    new = {"onDemandRules": [{"domains": ["a"], "action": "connect"}]}
    assert changes(old, new) == []


def test_bool_and_number_are_different() -> None:
    assert changes({"x": True}, {"x": 1}) == [Change("x", True, 1)]
