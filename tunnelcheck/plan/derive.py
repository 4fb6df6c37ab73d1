"""Building the plan: the checks run on the tenant, the steps derived phase by phase for what it lacks
(:class:`_Derivation`), and their outcome predicted."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import timedelta, timezone
from typing import Any

from ..check import Check, Phase, Verdict, run_check
from ..config import CLOUDS, Config, MigrationConfig
from ..errors import DataUnavailable
from ..migration import (
    IOS_KINDS,
    StandaloneProfile,
    covered_by_any,
    covering_defender_profiles,
    defender_apps,
    defender_profiles,
    in_scope_standalone,
    kinds_of,
    profiles_of_kinds,
    replacements,
    standalone_apps,
    standalone_profile_ids,
    unique_targets,
)
from ..model import (
    Intent,
    MobileApp,
    ProfileKind,
    Target,
    TargetKind,
    TunnelProfile,
    on_demand_rule_key,
    parse_datetime,
)
from ..model import _Raw as _RawObject
from ..model import _target as _parse_target
from ..model.resources import Resource
from ..tenant import Tenant
from .predict import NOT_PREDICTED, _predict
from .steps import (
    AddApp,
    AddAppAssignment,
    AssignProfile,
    Block,
    CheckOutcome,
    CreateProfile,
    DeleteAppAssignment,
    Effect,
    G,
    PatchProfile,
    PatchTunnelConfiguration,
    Plan,
    Ref,
    Step,
    StepNumber,
    Table,
    Text,
    UpdateAppAssignment,
    Wait,
    text,
)

__all__ = [
    "KNOWN_SETTINGS",
    "OUTSIDE_CONFIGURATION",
    "build_plan",
    "fixed_custom_settings",
    "target_json",
    "target_of",
]

#: Why a failing check of the catalog is not a configuration change the plan can make.
OUTSIDE_CONFIGURATION = {
    "TUN-GW-01": "server health is the Tunnel Gateway servers' own state, not Intune configuration",
    "TUN-GW-02": "the site a profile should use cannot be told from the tenant",
    "TUN-GW-03": "a gateway change since the baseline is reverted, or accepted as a new baseline, by you",
    "TUN-DEV-01": "devices remove the app once its Uninstall assignment reaches them (the uninstall step)",
    "TUN-DEV-02": "device errors are reported by the devices; resolve them from the profile's Device status",
    "TUN-IOS-06": "an app reassigned too early stays so in the audit log: have its devices sync and, for "
                  "Available apps, users reinstall it",
}


def build_plan(tenant: Tenant, baseline: Tenant | None, settings: Config, checks: Iterable[Check],
               phase: Phase | None = None) -> Plan:
    """The plan for ``tenant`` (and its ``baseline``): run ``checks`` of the phases up to ``phase`` (the
    drift checks never: the plan itself is drift), derive the steps, predict their outcome."""
    selected = [c for c in checks if c.phase is not Phase.DRIFT and (phase is None or c.phase.rank <= phase.rank)]
    needs = {r for c in selected for r in c.needs} | {Resource.GROUPS, Resource.TUNNEL_SITES}
    tenant.prefetch(needs)
    if baseline is not None:
        baseline.prefetch(needs)
    verdicts = {c.id: run_check(c, tenant, baseline, settings.migration) for c in selected}
    derivation = _Derivation(tenant, baseline, settings.migration, verdicts, phase)
    steps = derivation.derive()
    for number, step in enumerate(steps, 1):
        step.number = number
    predicted = _predict(tenant, baseline, settings.migration, selected, steps)
    outcomes = []
    for c in selected:
        after = None if c.id in NOT_PREDICTED else predicted[c.id].outcome
        outcome = CheckOutcome(c, verdicts[c.id], after, [s for s in steps if c.id in s.addresses])
        outcomes.append(outcome)
        for step in outcome.steps:
            if verdicts[c.id].outcome in ("failed", "error") and after in ("passed", "skipped"):
                step.resolves = (*step.resolves, c.id)
    unresolved = []
    for o in outcomes:
        if o.now.outcome not in ("failed", "error") or o.after in ("passed", "skipped"):
            continue
        why = derivation.unresolved.get(o.check.id) or []
        if o.now.outcome == "error":
            why = [text("could not run: {reason}", reason=o.now.reason)]
        elif o.check.id in OUTSIDE_CONFIGURATION:
            why = [text(OUTSIDE_CONFIGURATION[o.check.id]), *why]
        elif not why:
            why = [text("no step of this plan changes it" if not o.steps else "the steps leave some of it: "
                        "see the check's evidence after applying them")]
        unresolved += [(o.check.id, w) for w in why]
    waivers: dict[str, list[str]] = {w.check: [] for w in settings.waivers}
    for w in settings.waivers:
        waivers[w.check].append(f"{w.reason} (owner {w.owner}, expires {w.expires.isoformat()})")
    cloud = CLOUDS.get(settings.cloud, CLOUDS["global"])[0]
    return Plan(tenant.info, baseline.info if baseline else None, phase, settings.migration, f"{cloud}/beta",
                steps, outcomes, unresolved, waivers)


def _failing(verdict: Verdict | None) -> bool:
    return verdict is not None and verdict.outcome == "failed"


def _sorted_profiles(profiles: Iterable[TunnelProfile]) -> list[TunnelProfile]:
    return sorted(profiles, key=lambda p: (p.display_name.casefold(), p.id))


def _sorted_apps(apps: Iterable[MobileApp]) -> list[MobileApp]:
    return sorted(apps, key=lambda a: (a.display_name.casefold(), a.id))


def _target_order(target: Target) -> tuple[str, str, str]:
    return (target.kind.key, target.group_id or "", target.properties)


def _raw_targets(raw: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [a["target"] for a in raw.get("assignments") or []
            if isinstance(a, dict) and isinstance(a.get("target"), dict)]


def _profiles(tenant: Tenant) -> tuple[TunnelProfile, ...]:
    """Every Tunnel profile, or none when some configuration cannot be classified (a name lookup only:
    the checks that need them error on it)."""
    try:
        return tenant.profiles
    except DataUnavailable:
        return ()


def target_of(raw_target: Mapping[str, Any]) -> Target:
    """A raw assignment target as the model reads it."""
    return _parse_target(_RawObject({"target": dict(raw_target)}, "target"))


def target_json(target: Target, known: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """``target`` as Graph takes it: a recorded raw target of the same identity when there is one (it
    keeps its assignment filter), else built from the model."""
    for raw in known:
        if target_of(raw) == target:
            return copy.deepcopy(dict(raw))
    if target.kind in (TargetKind.GROUP, TargetKind.EXCLUSION_GROUP):
        return {"@odata.type": target.kind.value, "groupId": target.group_id}
    extra = json.loads(target.properties) if target.properties else {}
    return {"@odata.type": target.kind.value, **extra}


_PLATFORM_NAME = {"android": "Android", "ios": "iOS"}
_KIND_NAME = {ProfileKind.ANDROID_DEVICE_OWNER: "Android Enterprise fully managed / corporate-owned work profile",
              ProfileKind.ANDROID_WORK_PROFILE: "Android Enterprise personally-owned work profile",
              ProfileKind.IOS: "iOS/iPadOS"}
_CREATE_WHERE = {
    ProfileKind.ANDROID_DEVICE_OWNER: "Devices > Configuration > Create > New policy: platform Android Enterprise, "
                                      "profile type Fully Managed, Dedicated, and Corporate-Owned Work Profile > VPN",
    ProfileKind.ANDROID_WORK_PROFILE: "Devices > Configuration > Create > New policy: platform Android Enterprise, "
                                      "profile type Personally-Owned Work Profile > VPN",
    ProfileKind.IOS: "Devices > Configuration > Create > New policy: platform iOS/iPadOS, profile type Templates > VPN",
}
_INTENT_NAME = {"required": "Required", "available": "Available for enrolled devices",
                "availableWithoutEnrollment": "Available with or without enrollment", "uninstall": "Uninstall"}
#: platform -> (keys read, the toggle's value for Tunnel only, valid, wanted with Defender features)
_TOGGLES: dict[str, tuple[tuple[str, ...], str, Callable[[str], bool], Callable[[str | None], bool]]] = {
    "android": (("defendertoggle", "antiphishing", "vpn"), "0",
                lambda v: v in ("0", "1"), lambda v: v is None or v == "1"),
    "ios": (("TunnelOnly", "WebProtection", "AutoOnboard"), "True",
            lambda v: v.lower() in ("true", "false"), lambda v: v is None or v.lower() == "false"),
}
_WEB_PROTECTION_KEYS = ("defendertoggle", "antiphishing")

#: Properties Graph sets or that are the profile's relations, never part of a create body.
_SERVER_SET = frozenset({"id", "createdDateTime", "lastModifiedDateTime", "version", "supportsScopeTags",
                         "assignments", "deviceStatusOverview", "deviceStatuses", "userStatuses",
                         "userStatusOverview", "deviceSettingStateSummaries", "groupAssignments"})
#: The profile settings the model reads (docs/terms.md, TUN-*-03/04): everything else is carried over as
#: it is and listed for review.
KNOWN_SETTINGS = frozenset({
    "@odata.type", "displayName", "connectionType", "microsoftTunnelSiteId", "alwaysOn", "alwaysOnLockdown",
    "proxyServer", "targetedPackageIds", "targetedMobileApps", "customData", "customKeyValueData", "enablePerApp",
    "providerType", "associatedDomains", "excludedDomains", "safariDomains", "onDemandRules"})


def _has_ref_key(value: Any) -> bool:
    if isinstance(value, dict):
        return "$ref" in value or any(_has_ref_key(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_ref_key(v) for v in value)
    return False


def _ordered(body: Mapping[str, Any]) -> dict[str, Any]:
    """``@odata.type`` first, then the properties sorted: the same body whatever order Graph sent them in."""
    return {k: body[k] for k in sorted(body, key=lambda k: (k != "@odata.type", k))}


def _entries(raw: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return ([dict(e) for e in raw.get("customData") or [] if isinstance(e, dict)],
            [dict(e) for e in raw.get("customKeyValueData") or [] if isinstance(e, dict)])


def _is_key(entry: Mapping[str, Any], field_name: str, key: str) -> bool:
    name = entry.get(field_name)
    return isinstance(name, str) and name.strip().lower() == key.lower()


def _clean_value(data: list[dict[str, Any]], kv: list[dict[str, Any]], key: str) -> str | None:
    """The value of custom setting ``key`` in entries made clean by :func:`fixed_custom_settings`."""
    for entries, field_name in ((data, "key"), (kv, "name")):
        for e in entries:
            if _is_key(e, field_name, key) and isinstance(e.get("value"), str):
                return str(e["value"]).strip()
    return None


def fixed_custom_settings(profile: TunnelProfile, features: bool | None
                          ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[Text]]:
    """The profile's ``customData`` and ``customKeyValueData`` with the settings TUN-AND-05 / TUN-IOS-04 read
    made as ``migration.defender_features`` wants them, and what changed. A setting that cannot be read
    as written (surrounding whitespace, conflicting values) or holds an invalid value is removed, so its
    default applies; the toggle is set to its Tunnel-only value (false) or removed when it stands in the
    way of Defender's features (true). Nothing changes while ``defender_features`` is unset."""
    data, kv = _entries(profile.raw)
    changes: list[Text] = []
    if features is None:
        return data, kv, changes
    keys, tunnel_only, valid, wanted = _TOGGLES[profile.platform]
    for key in keys:
        value, problems = profile.custom.get(key), profile.custom.problems(key)
        why = "; ".join(problem for problem, _ in problems)
        written = "; ".join(f"{e.get(name)!r} = {e.get('value')!r}" for entries, name in ((data, "key"), (kv, "name"))
                            for e in entries if _is_key(e, name, key))
        if key == keys[0] and features is False:
            if not problems and value is not None and value.lower() == tunnel_only.lower():
                continue
            changes.append(text(f"Custom settings: remove every `{key}` entry ({{was}}), then add `{key}` = "
                                f"`{tunnel_only}` (Tunnel only)" if written else
                                f"Custom settings: add `{key}` = `{tunnel_only}` (Tunnel only)",
                                was=written + (f": {why}" if why else "")))
        elif key == keys[0]:
            if not problems and wanted(value):
                continue
            changes.append(text(f"Custom settings: remove every `{key}` entry ({{was}}): Defender's features "
                                "are wanted", was=written + (f": {why}" if why else "")))
        else:
            if not problems and (value is None or valid(value)):
                continue
            changes.append(text(f"Custom settings: remove every `{key}` entry ({{was}}), so its default applies",
                                was=written + f": {why or 'not a valid value'}"))
        data = [e for e in data if not _is_key(e, "key", key)]
        kv = [e for e in kv if not _is_key(e, "name", key)]
        if key == keys[0] and features is False:
            data.append({"key": key, "value": tunnel_only})
    return data, kv, changes


def _web_protection_on(data: list[dict[str, Any]], kv: list[dict[str, Any]]) -> bool:
    return all(_clean_value(data, kv, key) != "0" for key in _WEB_PROTECTION_KEYS)


def _new_name(standalone: TunnelProfile) -> str:
    name = standalone.display_name
    for old in ("(standalone client)", "(standalone)", "standalone"):
        at = name.casefold().find(old)
        if at >= 0:
            new = "(Defender)" if old.startswith("(") else "Defender"
            return name[:at] + new + name[at + len(old):]
    return f"{name} (Defender)"


class _Derivation:
    """The steps for one tenant, phase by phase; what it cannot do is kept in :attr:`unresolved`."""

    def __init__(self, tenant: Tenant, baseline: Tenant | None, migration: MigrationConfig,
                 verdicts: Mapping[str, Verdict], phase: Phase | None) -> None:
        self.tenant, self.baseline, self.migration = tenant, baseline, migration
        self.verdicts, self.phase = verdicts, phase
        self.unresolved: dict[str, list[Text]] = {}
        self.names = {**(baseline.group_names if baseline else {}), **tenant.group_names}
        self.sites = {s.id: s.display_name for s in tenant.sites} if tenant.available(Resource.TUNNEL_SITES) else {}
        #: standalone profile id -> the new profile made for it (a step), or the replacement extended for it
        self.new_profiles: dict[str, Step] = {}
        self.ios_profile_steps: list[Step] = []

    def failing(self, *check_ids: str) -> bool:
        return any(_failing(self.verdicts.get(c)) for c in check_ids)

    def leave(self, check_id: str, why: Text) -> None:
        self.unresolved.setdefault(check_id, []).append(why)

    def selected(self, phase: Phase) -> bool:
        return self.phase is None or phase.rank <= self.phase.rank

    def derive(self) -> list[Step]:
        steps: list[Step] = []
        steps += self.enable_udp()
        if self.selected(Phase.DEFENDER_DEPLOYED):
            for platform in ("android", "ios"):
                steps += self.defender_app(platform)
        if self.selected(Phase.PROFILES_CREATED):
            for platform in ("android", "ios"):
                steps += self.profiles(platform)
            for platform in ("android", "ios"):
                steps += self.restore_settings(platform)
            for platform in ("android", "ios"):
                steps += self.custom_settings(platform)
            steps += self.browsers()
        if self.selected(Phase.APPS_REASSIGNED):
            steps += self.reassign()
        if self.selected(Phase.CLEANUP):
            cleanup = [*self.uninstall("android"), *self.uninstall("ios"),
                       *self.unassign("android"), *self.unassign("ios")]
            if cleanup:
                steps.append(self.sync_wait(steps))
            steps += cleanup
        return steps

    # -- helpers -----------------------------------------------------------------------------------------

    def order(self, target: Target) -> tuple[str, str, str, str]:
        """Targets as the admin center lists them: by group name (then id: names may repeat)."""
        return (target.kind.key, self.names.get(target.group_id or "", "").casefold(), *_target_order(target)[1:])

    def target_text(self, target: Target) -> Text:
        if target.kind is TargetKind.ALL_DEVICES:
            return text("All devices")
        if target.kind is TargetKind.ALL_USERS:
            return text("All users")
        if target.group_id is not None:
            name = self.names.get(target.group_id)
            return text("{name} ({id})", name=name, id=target.group_id) if name else text("{id}", id=target.group_id)
        return text("{type} {properties}", type=target.type_name, properties=target.properties)

    # -- inventory ---------------------------------------------------------------------------------------

    def enable_udp(self) -> list[Step]:
        if not self.failing("TUN-GW-04"):
            return []
        steps = []
        recorded = {c.id: c for c in self.baseline.tunnel_configurations} \
            if self.baseline is not None and self.baseline.available(Resource.TUNNEL_CONFIGURATIONS) else {}
        for configuration in sorted(self.tenant.tunnel_configurations, key=lambda c: (c.display_name.casefold(), c.id)):
            if not configuration.disable_udp:
                continue
            notes = [text("The baseline has UDP disabled too: TUN-GW-03 reports this change; once done, accept the "
                          "tenant as the new baseline (tunnelcheck accept)")] \
                if configuration.id in recorded and recorded[configuration.id].disable_udp else []
            steps.append(Step(
                "enable-udp", Phase.INVENTORY, text("Turn UDP back on in the server configuration {name}",
                                                    name=configuration.display_name),
                ("TUN-GW-04", *(("TUN-GW-03",) if self.failing("TUN-GW-03") else ())), notes=notes,
                where=text("Tenant administration > Microsoft Tunnel Gateway > Server configurations > {name} > "
                           "Properties > Edit", name=configuration.display_name),
                blocks=[text("Disable UDP Connections: No (`disableUdpConnections` = false): the standalone "
                             "client needs UDP until no standalone profile is assigned (the last steps)")],
                effects=[PatchTunnelConfiguration(configuration.id, {"disableUdpConnections": False})],
                objects=[("server configuration", configuration.id, configuration.display_name)]))
        return steps

    # -- defender-deployed -------------------------------------------------------------------------------

    def tunnel_targets(self, kinds: tuple[ProfileKind, ...]) -> tuple[Target, ...]:
        """As TUN-AND-02 / TUN-IOS-01 count them: migration targets of in-scope standalone profiles and
        include targets of assigned Defender profiles."""
        standalone = [t for s in in_scope_standalone(self.tenant, self.baseline, kinds) for t in s.targets]
        defender = [t for p in defender_profiles(self.tenant, kinds, assigned_only=True) for t in p.includes]
        return unique_targets([*standalone, *defender])

    def standalone_intent(self, platform: str, target: Target) -> str:
        """The intent the standalone app was offered with to ``target`` (baseline or now): the Defender app
        mirrors the deployment it replaces; Required when it was not offered there."""
        intents = set()
        for t in (self.tenant, self.baseline):
            if t is None:
                continue
            for app in standalone_apps(t, platform, self.migration):
                intents |= {a.intent.value for a in app.assignments if a.intent.offered and a.target == target}
        for intent in ("required", "available", "availableWithoutEnrollment"):
            if intent in intents:
                return intent
        return "required"

    def defender_app(self, platform: str) -> list[Step]:
        presence, coverage = ("TUN-AND-01", "TUN-AND-02") if platform == "android" else ("TUN-IOS-01", "TUN-IOS-01")
        if not self.failing(presence, coverage):
            return []
        steps: list[Step] = []
        apps = _sorted_apps(defender_apps(self.tenant, platform, self.migration))
        app_ref: str | Ref
        app_id = getattr(self.migration.defender_app_ids, platform)
        if apps:
            app = apps[0]
            app_ref, app_name = app.id, app.display_name
        else:
            step = self.add_defender_app(platform, app_id, presence)
            steps.append(step)
            app, app_ref, app_name = None, Ref(step), str(step.title.values["name"])
        kinds = kinds_of(platform)
        uncovered = [t for t in self.tunnel_targets(kinds) if not covered_by_any(apps, t)]
        if not uncovered or not self.failing(coverage):
            return steps
        effects: list[Effect] = []
        blocks: list[Block] = []
        for target in sorted(uncovered, key=self.order):
            if not target.understood:
                self.leave(coverage, text("target {t}: a target type tunnelcheck does not know; assign the "
                                          "Defender app to it yourself", t=self.target_text(target).plain()))
                continue
            if app is not None and app.offered_coverage.excluded_by:
                self.leave(coverage, text("{app} ({id}) has an assignment of a type tunnelcheck does not know "
                                          "that excludes every target: {types}", app=app.display_name, id=app.id,
                                          types=", ".join(app.offered_coverage.excluded_by)))
                return steps
            same = [a for a in (app.assignments if app else ()) if a.target.group_id == target.group_id
                    and target.group_id is not None]
            for a in same:
                if a.target.is_exclusion:
                    effects.append(DeleteAppAssignment(app.id, a.id))  # type: ignore[union-attr]
                    blocks.append(text("Excluded groups: remove {t} (it receives Tunnel profiles)",
                                       t=self.target_text(target)))
            intent = self.standalone_intent(platform, target)
            kept = [a for a in same if not a.target.is_exclusion]
            if kept and kept[0].intent.offered:
                continue  # offered already: removing the exclusion was what it needed
            if kept and app is not None:  # e.g. an uninstall assignment for the group: change its intent
                a = kept[0]
                effects.append(UpdateAppAssignment(app.id, a.id, intent, target_json(target, self.app_targets(app)),
                                                   self.app_settings(app, a.id)))
                blocks.append(text(f"{{t}}: change {a.intent.value} to {_INTENT_NAME[intent]}",
                                   t=self.target_text(target)))
            elif app is None or not app.offered_coverage.includes_target(target):
                effects.append(AddAppAssignment(app_ref, intent, target_json(target, self.known_targets())))
                blocks.append(text(f"{_INTENT_NAME[intent]}: add {{t}}", t=self.target_text(target)))
        if not effects:
            return steps
        steps.append(Step(
            "assign-defender-app", Phase.DEFENDER_DEPLOYED,
            text("Offer {name} to every " + _PLATFORM_NAME[platform] + " Tunnel target", name=app_name),
            (coverage,), where=text("Apps > All apps > {name} > Properties > Assignments > Edit"
                                    + (" (once the step above has added it)" if app is None else ""), name=app_name),
            blocks=blocks, effects=effects, notes=[text(
                "Then ask users to install the app (Required installs it by itself); the intent mirrors the "
                "standalone app's deployment to the same group (Required when it had none)")],
            objects=[("app", app.id if app else "(added by the step above)", app_name)]))
        return steps

    def add_defender_app(self, platform: str, app_id: str, presence: str) -> Step:
        if platform == "android":
            name = "Microsoft Defender: Antivirus"
            raw = {"@odata.type": G + "androidManagedStoreApp", "displayName": name, "packageId": app_id,
                   "appIdentifier": app_id, "publisher": "Microsoft Corporation"}
            where = text("Apps > Android > Add > Managed Google Play app")
            blocks: list[Block] = [
                text("Search for Microsoft Defender (package {pkg}), Approve it, then Sync", pkg=app_id)]
        else:
            name = "Microsoft Defender"
            raw = {"@odata.type": G + "iosStoreApp", "displayName": name, "bundleId": app_id,
                   "publisher": "Microsoft Corporation"}
            where = text("Apps > iOS/iPadOS > Add > iOS store app (or your VPP token's apps)")
            blocks = [text("Search the App Store for Microsoft Defender (bundle id {bundle}) and add it",
                           bundle=app_id)]
        return Step("add-defender-app", Phase.DEFENDER_DEPLOYED, text("Add the Defender app {name}", name=name),
                    (presence,), where=where, blocks=blocks, effects=[AddApp(raw)], manual=True,
                    notes=[text("Done in the admin center, not through Graph: plan.json's later steps name the "
                                "app by this step's result (the new app's id)")],
                    objects=[("app", app_id, name)])

    def known_targets(self) -> list[Mapping[str, Any]]:
        """Every raw target recorded on a Tunnel profile (they keep their assignment filters)."""
        return [raw for t in (self.tenant, self.baseline) if t is not None for p in _profiles(t)
                for raw in _raw_targets(p.raw)]

    @staticmethod
    def app_targets(app: MobileApp) -> list[dict[str, Any]]:
        return _raw_targets(app.raw)

    @staticmethod
    def app_assignment_raw(app: MobileApp, assignment_id: str) -> Mapping[str, Any]:
        for a in app.raw.get("assignments") or []:
            if isinstance(a, dict) and a.get("id") == assignment_id:
                return a
        return {}

    def app_settings(self, app: MobileApp, assignment_id: str) -> Any:
        return copy.deepcopy(self.app_assignment_raw(app, assignment_id).get("settings"))

    # -- profiles-created --------------------------------------------------------------------------------

    def profiles(self, platform: str) -> list[Step]:
        check_id = "TUN-AND-03" if platform == "android" else "TUN-IOS-02"
        if not self.failing(check_id):
            return []
        kinds = kinds_of(platform)
        index = covering_defender_profiles(self.tenant, kinds)
        creates: list[Step] = []
        extensions: dict[str, tuple[TunnelProfile, list[Target], list[StandaloneProfile]]] = {}
        for standalone in sorted(in_scope_standalone(self.tenant, self.baseline, kinds),
                                 key=lambda s: (s.profile.display_name.casefold(), s.profile.id)):
            kind = standalone.profile.kind
            uncovered = [t for t in standalone.targets if not index[kind].covering(t)]
            if not uncovered:
                continue
            usable = [p for p in replacements(standalone, self.tenant, index) if not p.coverage.excluded_by]
            if not usable:
                creates.append(self.create_profile(standalone, check_id))
                continue
            replacement = _sorted_profiles(usable)[0]
            entry = extensions.setdefault(replacement.id, (replacement, [], []))
            entry[1].extend(t for t in uncovered if t not in entry[1])
            entry[2].append(standalone)
        steps = list(creates)
        for replacement, targets, standalones in sorted(extensions.values(),
                                                        key=lambda e: (e[0].display_name.casefold(), e[0].id)):
            steps.append(self.extend(replacement, targets, standalones, check_id))
        if platform == "ios":
            self.ios_profile_steps += steps
        return steps

    def create_profile(self, standalone: StandaloneProfile, check_id: str) -> Step:
        old = standalone.settings
        name = _new_name(old)
        body: dict[str, Any] = {}
        review: list[Text] = []
        for key, value in old.raw.items():
            if key in _SERVER_SET or ("@odata." in key and key != "@odata.type"):
                continue
            if _has_ref_key(value):
                review.append(text("`{key}` is not carried over: it holds a `$ref` key, which plan.json keeps "
                                   "for its references; set it by hand", key=key))
                continue
            body[key] = copy.deepcopy(value)
        body["displayName"] = name
        body["connectionType"] = "microsoftProtect"
        data, kv, changes = fixed_custom_settings(old, self.migration.defender_features)
        body["customData"], body["customKeyValueData"] = data, kv
        browsers = []
        web_protected = self.migration.defender_features is not False and _web_protection_on(data, kv)
        if old.kind is ProfileKind.ANDROID_WORK_PROFILE and old.per_app and web_protected:
            browsers = [b for b in self.offered_browsers() if b not in old.per_app]
            if browsers:
                body["targetedPackageIds"] = [*(body.get("targetedPackageIds") or []), *browsers]
        body = _ordered(body)
        includes = [target_json(t, _raw_targets(old.raw) + (_raw_targets(standalone.current.raw)
                                                             if standalone.current else []))
                    for t in sorted(standalone.targets, key=self.order)]
        keys = {t.key for t in standalone.targets}
        exclusions: list[dict[str, Any]] = []
        for version in (standalone.recorded, standalone.current):
            for raw in _raw_targets(version.raw) if version else []:
                t = target_of(raw)
                if t.excludes_all:
                    review.append(text("exclusion {t} is not carried over: a target type tunnelcheck does not "
                                       "know, it would exclude every target", t=self.target_text(t).plain()))
                elif t.is_exclusion and t.key not in keys and all(target_of(e) != t for e in exclusions):
                    exclusions.append(copy.deepcopy(raw))
        exclusions.sort(key=lambda raw: self.order(target_of(raw)))
        step = Step("create-profile", Phase.PROFILES_CREATED,
                    text("Create the VPN profile {name}", name=name), (check_id,),
                    where=text(_CREATE_WHERE[old.kind]),
                    objects=[("profile", "(new)", name), ("replaces profile", old.id, old.display_name)])
        step.effects = [CreateProfile(body), AssignProfile(Ref(step), [*includes, *exclusions])]
        recorded = "the baseline" if standalone.recorded else "the tenant now"
        step.blocks = [
            text("Name: {name}", name=name),
            text("It replaces {old}, with its settings as recorded in " + recorded + " (each below), and the "
                 "connection type Microsoft Tunnel (the Defender for Endpoint client)",
                 old=f"{old.display_name} ({old.id})"),
            self.settings_table(body, old),
            *changes,
            *([text("Per-app VPN: also {browsers} (offered browsers, so web protection covers their traffic: "
                    "TUN-AND-06)", browsers=", ".join(browsers))] if browsers else []),
            *[text("Assignments > Included groups: {t}", t=self.target_text(target_of(t)))
              for t in includes],
            *[text("Assignments > Excluded groups: {t}", t=self.target_text(target_of(t))) for t in exclusions],
        ]
        unknown = sorted(k for k in body if k not in KNOWN_SETTINGS)
        if unknown:
            review.append(text("Carried over unchanged, not checked by tunnelcheck (review them): {keys}",
                               keys=", ".join(unknown)))
        step.notes = review
        self.new_profiles[old.id] = step
        if standalone.current is not None:
            self.new_profiles[standalone.current.id] = step
        return step

    def offered_browsers(self) -> list[str]:
        return [b for b in self.migration.browser_package_ids
                if any(a.intent.offered and a.target.is_include
                       for app in self.tenant.apps_with_identifier(b, "android") for a in app.assignments)]

    def extend(self, replacement: TunnelProfile, targets: list[Target], standalones: list[StandaloneProfile],
               check_id: str) -> Step:
        keys = {t.key for t in targets}
        current = sorted((raw for raw in _raw_targets(replacement.raw)
                          if not (target_of(raw).is_exclusion and target_of(raw).key in keys)),
                         key=lambda raw: self.order(target_of(raw)))
        removed = [raw for raw in _raw_targets(replacement.raw) if raw not in current]
        known = [*_raw_targets(replacement.raw), *(raw for s in standalones for v in (s.current, s.recorded) if v
                                                   for raw in _raw_targets(v.raw))]
        added = [target_json(t, known) for t in sorted(targets, key=self.order)]
        step = Step("assign-profile", Phase.PROFILES_CREATED,
                    text("Assign the VPN profile {name} to the targets it misses", name=replacement.display_name),
                    (check_id,), where=text("Devices > Configuration > {name} > Properties > Assignments > Edit",
                                            name=replacement.display_name),
                    blocks=[*(text("Included groups: add {t}", t=self.target_text(target_of(raw))) for raw in added),
                            *(text("Excluded groups: remove {t}", t=self.target_text(target_of(raw)))
                              for raw in removed)],
                    effects=[AssignProfile(replacement.id, [*current, *added])],
                    notes=[text("It replaces {old} for these groups: its settings were checked against it "
                                "(TUN-AND-04 / TUN-IOS-03)",
                                old=", ".join(f"{s.profile.display_name} ({s.profile.id})" for s in standalones))],
                    objects=[("profile", replacement.id, replacement.display_name)])
        for s in standalones:
            self.new_profiles.setdefault(s.profile.id, step)
        return step

    def settings_table(self, body: Mapping[str, Any], old: TunnelProfile) -> Table:
        rows = [(text("Connection type (`connectionType`)"),
                 text("Microsoft Tunnel (`microsoftProtect`), not Microsoft Tunnel (standalone client)"))]
        for key, label in _LABELS:
            if key not in body or key in ("connectionType", "customData", "customKeyValueData", "displayName"):
                continue
            rows.append((text(f"{label} (`{key}`)"), text("{v}", v=self.describe(key, body[key]))))
        for entries, field_name, label in ((body.get("customData") or [], "key", "customData"),
                                           (body.get("customKeyValueData") or [], "name", "customKeyValueData")):
            for e in entries:
                if isinstance(e, dict):
                    rows.append((text(f"Custom setting (`{label}`)"),
                                 text("{k} = {v}", k=e.get(field_name), v=_value(e.get("value")))))
        for key in sorted(k for k in body if k not in KNOWN_SETTINGS and k not in dict(_LABELS)):
            rows.append((text("Other: {key} (carried over)", key=key), text("{v}", v=_value(body[key]))))
        return Table(("Setting", "Value"), tuple(rows))

    def describe(self, key: str, value: Any) -> str:
        if key == "microsoftTunnelSiteId" and isinstance(value, str):
            return f"{self.sites[value]} ({value})" if value in self.sites else f"{value} (no such site now)"
        if isinstance(value, bool):
            return "Enable" if value else "Not configured"
        if key == "onDemandRules" and isinstance(value, list):
            return "; ".join(", ".join(f"{k} {_value(v)}" for k, v in sorted(r.items()) if v not in (None, [], "")
                                       and k != "@odata.type") for r in value if isinstance(r, dict)) or "(none)"
        if key == "proxyServer" and isinstance(value, dict):
            parts = [f"{k} {_value(value.get(k))}" for k in ("address", "port", "automaticConfigurationScriptUrl")
                     if value.get(k) not in (None, "")]
            return ", ".join(parts) or "(none)"
        if key == "targetedMobileApps" and isinstance(value, list):
            return ", ".join(str(a.get("appId") or a.get("name")) for a in value if isinstance(a, dict)) or "(none)"
        return _value(value)

    def restore_settings(self, platform: str) -> list[Step]:
        check_id = "TUN-AND-04" if platform == "android" else "TUN-IOS-03"
        if not self.failing(check_id):
            return []
        kinds = kinds_of(platform)
        index = covering_defender_profiles(self.tenant, kinds)
        wanted: dict[str, tuple[TunnelProfile, dict[str, Any], list[Text], list[TunnelProfile]]] = {}
        conflicts: set[tuple[str, str]] = set()
        for standalone in in_scope_standalone(self.tenant, self.baseline, kinds):
            old = standalone.settings
            for new in replacements(standalone, self.tenant, index):
                entry = wanted.setdefault(new.id, (new, {}, [], []))
                entry[3].append(old)
                for key, value, shown in _parity_changes(old, new, self.describe):
                    if key in entry[1] and key not in _LIST_SETTINGS and entry[1][key] != value:
                        conflicts.add((new.id, key))
                    elif key in _LIST_SETTINGS and key in entry[1]:
                        value = [*entry[1][key], *(v for v in value if v not in entry[1][key])]
                    entry[1][key] = value
                    entry[2].append(shown)
        steps = []
        for new, properties, rows, olds in sorted(wanted.values(),
                                                  key=lambda e: (e[0].display_name.casefold(), e[0].id)):
            for profile_id, key in sorted(conflicts):
                if profile_id == new.id:
                    properties.pop(key, None)
                    self.leave(check_id, text("{name} ({id}) replaces standalone profiles whose `{key}` differ: one "
                                              "profile cannot keep both", name=new.display_name, id=new.id, key=key))
            if not properties:
                continue
            steps.append(Step(
                "restore-settings", Phase.PROFILES_CREATED,
                text("Put the recorded settings back on the VPN profile {name}", name=new.display_name), (check_id,),
                where=text("Devices > Configuration > {name} > Properties > Configuration settings > Edit",
                           name=new.display_name),
                blocks=[Table(("Setting", "Value to set"), tuple((text("{k}", k=s.values["label"]),
                                                                  text("{v}", v=s.values["value"])) for s in rows))],
                effects=[PatchProfile(new.id, new.odata_type, _ordered(properties))],
                notes=[text("As recorded on {old}", old=", ".join(f"{o.display_name} ({o.id})" for o in olds))],
                objects=[("profile", new.id, new.display_name)]))
        return steps

    def custom_settings(self, platform: str) -> list[Step]:
        check_id = "TUN-AND-05" if platform == "android" else "TUN-IOS-04"
        if not self.failing(check_id):
            return []
        steps = []
        for profile in _sorted_profiles(defender_profiles(self.tenant, kinds_of(platform), assigned_only=True)):
            data, kv, changes = fixed_custom_settings(profile, self.migration.defender_features)
            if not changes:
                continue
            steps.append(Step(
                "fix-custom-settings", Phase.PROFILES_CREATED,
                text("Set the custom settings of the VPN profile {name} as intended", name=profile.display_name),
                (check_id, *(("TUN-AND-06",) if platform == "android" else ())),
                where=text("Devices > Configuration > {name} > Properties > Configuration settings > Edit > "
                           "Custom settings", name=profile.display_name),
                blocks=[*changes], effects=[PatchProfile(profile.id, profile.odata_type,
                                                      {"customData": data, "customKeyValueData": kv})],
                notes=[text("Intent: " + ("Tunnel only (`migration.defender_features`: false)"
                                          if self.migration.defender_features is False else "Defender for "
                                          "Endpoint's features wanted (`migration.defender_features`: true)"))],
                objects=[("profile", profile.id, profile.display_name)]))
        return steps

    def browsers(self) -> list[Step]:
        if not self.failing("TUN-AND-06"):
            return []
        steps = []
        offered = self.offered_browsers()
        features = self.migration.defender_features
        for profile in _sorted_profiles(defender_profiles(self.tenant, [ProfileKind.ANDROID_WORK_PROFILE],
                                                          assigned_only=True)):
            if not profile.per_app:
                continue
            data, kv, _ = fixed_custom_settings(profile, features)
            unreadable = features is None and any(profile.custom.problems(k) for k in _WEB_PROTECTION_KEYS)
            if unreadable:
                self.leave("TUN-AND-06", text("{name} ({id}): defendertoggle or antiphishing cannot be read as "
                                              "written; set `migration.defender_features` and the plan fixes them",
                                              name=profile.display_name, id=profile.id))
                continue
            if not _web_protection_on(data, kv):
                continue  # the custom-settings step turns web protection off: browsers no longer matter
            missing = [b for b in offered if b not in profile.per_app]
            if not missing:
                continue
            ids = [*(profile.raw.get("targetedPackageIds") or []), *missing]
            steps.append(Step(
                "add-browsers", Phase.PROFILES_CREATED,
                text("Add the offered browsers to the per-app VPN list of {name}", name=profile.display_name),
                ("TUN-AND-06",), where=text("Devices > Configuration > {name} > Properties > Configuration settings "
                                             "> Edit > Per-app VPN", name=profile.display_name),
                blocks=[text("Add {pkg}", pkg=b) for b in missing],
                effects=[PatchProfile(profile.id, profile.odata_type, {"targetedPackageIds": ids})],
                notes=[text("With web protection on, it covers only the apps of the per-app VPN list")],
                objects=[("profile", profile.id, profile.display_name)]))
        return steps

    # -- apps-reassigned ---------------------------------------------------------------------------------

    def destination(self, standalone_id: str, target: Target, defender: list[TunnelProfile]
                    ) -> tuple[str | Ref, Text] | None:
        """The Defender profile an app assignment on standalone profile ``standalone_id`` for ``target`` moves
        to: a new or extended profile of this plan, else a current replacement covering the target."""
        step = self.new_profiles.get(standalone_id)
        if step is not None and step.kind == "create-profile":
            return Ref(step), text("{name} (step {n})", name=step.title.values["name"], n=StepNumber(step))
        if step is not None:  # an extended replacement
            (profile_id, name) = step.objects[0][1:]
            return profile_id, text("{name} ({id})", name=name, id=profile_id)
        standalone = next((s for s in in_scope_standalone(self.tenant, self.baseline, IOS_KINDS)
                           if s.profile.id == standalone_id), None)
        replacing = replacements(standalone, self.tenant) if standalone is not None else []
        covering = [p for p in defender if p.coverage.covers(target)]
        candidates = [p for p in replacing if p in covering] or covering or replacing
        if not candidates:
            return None
        chosen = _sorted_profiles(candidates)[0]
        return chosen.id, text("{name} ({id})", name=chosen.display_name, id=chosen.id)

    def reassign(self) -> list[Step]:
        if not self.failing("TUN-IOS-05"):
            return []
        standalone = standalone_profile_ids(self.tenant, self.baseline)
        defender = _sorted_profiles(defender_profiles(self.tenant, IOS_KINDS))
        defender_ids = {p.id for p in defender}
        existing = self.tenant.configuration_ids
        names = {p.id: p.display_name for t in (self.baseline, self.tenant) if t for p in _profiles(t)}
        effects: list[Effect] = []
        blocks: list[Block] = []
        available: list[str] = []
        handled: set[tuple[str, Target, str]] = set()
        for app in _sorted_apps(self.tenant.apps):
            for a in sorted(app.assignments, key=lambda a: (self.order(a.target), a.intent.value, a.id)):
                vpn = a.vpn_configuration_id
                if vpn is None or (vpn in existing and vpn not in standalone):
                    continue
                where = text("{app} ({id}), {intent} for {t}", app=app.display_name, id=app.id,
                             intent=_INTENT_NAME.get(a.intent.value, a.intent.value),
                             t=self.target_text(a.target).plain())
                if vpn not in standalone:
                    self.leave("TUN-IOS-05", text("{w}: names {vpn}, a profile that no longer exists and was no "
                                                  "standalone profile: choose its VPN profile yourself",
                                                  w=where.plain(), vpn=vpn))
                    continue
                found = self.destination(vpn, a.target, defender)
                if found is None or not a.id:
                    self.leave("TUN-IOS-05", text("{w}: no Defender profile replaces {vpn}; create one first",
                                                  w=where.plain(), vpn=names.get(vpn, vpn)))
                    continue
                dest, dest_text = found
                settings = self.app_settings(app, a.id) or {"@odata.type": G + "iosStoreAppAssignmentSettings"}
                settings["vpnConfigurationId"] = dest
                effects.append(UpdateAppAssignment(app.id, a.id, a.intent.value,
                                                   target_json(a.target, self.app_targets(app)), settings))
                blocks.append(text("{w}: VPN {old} → {new}", w=where, old=f"{names.get(vpn, vpn)} ({vpn})",
                                   new=dest_text))
                handled.add((app.id, a.target, a.intent.value))
                if a.intent is not Intent.REQUIRED:
                    available.append(app.display_name)
        if self.baseline is not None:
            effects_, blocks_ = self.recreate_assignments(standalone, defender_ids, defender, handled, names, available)
            effects += effects_
            blocks += blocks_
        if not effects:
            return []
        steps = []
        waited_for = [s for s in self.ios_profile_steps if s.kind in ("create-profile", "assign-profile")]
        delay = self.migration.reassign_delay_minutes
        recent = self.recent_replacements(effects, delay)
        if waited_for or recent:
            steps.append(Step(
                "wait", Phase.APPS_REASSIGNED, text(f"Wait {delay} minutes before moving the per-app VPN apps"), (),
                wait=Wait(delay, text("the iOS VPN profiles of the steps above exist that long before the apps' VPN "
                                      "changes (`migration.reassign_delay_minutes`)"),
                          after=waited_for[-1] if waited_for else None, not_before=recent),
                blocks=[text("Microsoft's guide: wait at least 10 minutes after creating the new VPN profile before "
                             "changing the app deployments' VPN to it; TUN-IOS-06 checks this wait in the audit log"),
                        *([text("Not before {at} (10 minutes after the newest Defender profile the apps move to was "
                                "created)", at=recent)] if recent else [])]))
        app_names = {app.id: app.display_name for app in self.tenant.apps}
        notes = [text("Users must reinstall each app assigned as Available from the Company Portal (Apps > the app > "
                      "Install) after the new VPN profile is on their device, so its VPN assignment updates: {apps}",
                      apps=", ".join(sorted(set(available))))] if available else []
        steps.append(Step(
            "reassign-per-app-vpn", Phase.APPS_REASSIGNED,
            text("Move the iOS per-app VPN apps to the Defender-based profiles"), ("TUN-IOS-05",),
            where=text("Apps > All apps > the app > Properties > Assignments > Edit: the group's VPN setting"),
            blocks=blocks, effects=effects, notes=notes,
            objects=sorted({("app", e.app_id, app_names.get(e.app_id, "")) for e in effects
                            if isinstance(e, UpdateAppAssignment)}
                           | {("app", e.app, app_names.get(e.app, "")) for e in effects
                              if isinstance(e, AddAppAssignment) and isinstance(e.app, str)})))
        return steps

    def recent_replacements(self, effects: list[Effect], delay: int) -> str | None:
        """When an existing Defender profile the apps move to was created less than ``delay`` minutes before
        the tenant was read: the earliest time to reassign (absolute, from the data)."""
        recorded = self.tenant.info.recorded_at
        if not recorded:
            return None
        read_at = parse_datetime(recorded, "recorded_at")
        latest = None
        for e in effects:
            settings = getattr(e, "settings", None)
            dest = settings.get("vpnConfigurationId") if isinstance(settings, dict) else None
            profile = {p.id: p for p in _profiles(self.tenant)}.get(dest) if isinstance(dest, str) else None
            if profile is not None and profile.created is not None:
                ready = profile.created + timedelta(minutes=delay)
                if ready > read_at and (latest is None or ready > latest):
                    latest = ready
        return latest.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if latest else None

    def recreate_assignments(self, standalone: frozenset[str], defender_ids: set[str], defender: list[TunnelProfile],
                             handled: set[tuple[str, Target, str]], names: Mapping[str, str],
                             available: list[str]) -> tuple[list[Effect], list[Block]]:
        """Baseline assignments on a standalone profile that have no current one on a Defender profile (and
        that the step does not already move): made again, on the replacement."""
        assert self.baseline is not None
        current = {app.id: app for app in self.tenant.apps}
        effects: list[Effect] = []
        blocks: list[Block] = []
        for old_app in _sorted_apps(self.baseline.apps):
            app = current.get(old_app.id)
            for before in sorted(old_app.assignments, key=lambda a: (self.order(a.target), a.intent.value)):
                key = (old_app.id, before.target, before.intent.value)
                if before.vpn_configuration_id not in standalone or key in handled:
                    continue
                if app is not None and any(a.target == before.target and a.intent is before.intent
                                           and a.vpn_configuration_id in defender_ids for a in app.assignments):
                    continue
                where = text("{app} ({id}), {intent} for {t}", app=old_app.display_name, id=old_app.id,
                             intent=_INTENT_NAME.get(before.intent.value, before.intent.value),
                             t=self.target_text(before.target).plain())
                if app is None:
                    self.leave("TUN-IOS-05", text("{w}: the app is no longer in the tenant", w=where.plain()))
                    continue
                found = self.destination(before.vpn_configuration_id or "", before.target, defender)
                if found is None:
                    self.leave("TUN-IOS-05", text("{w}: no Defender profile replaces its standalone profile",
                                                  w=where.plain()))
                    continue
                settings = copy.deepcopy(self.app_assignment_raw(old_app, before.id).get("settings")) or \
                    {"@odata.type": G + "iosStoreAppAssignmentSettings"}
                settings["vpnConfigurationId"] = found[0]
                same_target = [a for a in app.assignments if a.target == before.target]
                if same_target and same_target[0].intent is before.intent and same_target[0].id:
                    effects.append(UpdateAppAssignment(app.id, same_target[0].id, before.intent.value,
                                                       target_json(before.target, self.app_targets(app)), settings))
                elif same_target:
                    self.leave("TUN-IOS-05", text("{w}: the app is now {intent} for that group; Intune takes one "
                                                  "assignment per group: change it yourself", w=where.plain(),
                                                  intent=same_target[0].intent.value))
                    continue
                else:
                    effects.append(AddAppAssignment(app.id, before.intent.value,
                                                    target_json(before.target, self.app_targets(old_app)), settings))
                blocks.append(text("{w}: assign it again (as in the baseline) with VPN {new}", w=where,
                                   new=found[1]))
                if before.intent is not Intent.REQUIRED:
                    available.append(app.display_name)
        return effects, blocks

    # -- cleanup -----------------------------------------------------------------------------------------

    def sync_wait(self, earlier: Sequence[Step]) -> Step:
        changed = [s for s in earlier if s.kind in ("create-profile", "assign-profile", "assign-defender-app",
                                                    "reassign-per-app-vpn", "add-defender-app")]
        return Step(
            "wait", Phase.CLEANUP, text("Wait until devices have Defender and the new VPN profiles"), (),
            wait=Wait(None, text("every device of the Tunnel groups has installed Microsoft Defender for Endpoint "
                                 "and received its new VPN profile"), after=changed[-1] if changed else None),
            blocks=[text("Check each new or changed profile's Device status (Devices > Configuration > the profile "
                         "> Device status): its devices Succeeded; have devices check in, or Sync them (Devices > "
                         "the device > Sync)"),
                    text("Verify that users connect in the Defender app's Tunnel tab (with on-demand rules, they "
                         "open the app once first)"),
                    text("Only then go on: the next steps remove the standalone client and its profiles")])

    def uninstall(self, platform: str) -> list[Step]:
        check_id = "TUN-AND-08" if platform == "android" else "TUN-IOS-08"
        if not self.failing(check_id):
            return []
        apps = _sorted_apps(standalone_apps(self.tenant, platform, self.migration))
        if not apps:
            self.leave(check_id, text("the standalone app was deleted while the baseline offered it: add it back "
                                      "(its identifier {id}) and set it to Uninstall for those groups",
                                      id=getattr(self.migration.standalone_app_ids, platform)))
            return []
        before: list[Target] = []
        if self.baseline is not None:
            before = [a.target for app in standalone_apps(self.baseline, platform, self.migration)
                      for a in app.assignments if a.intent.offered]
        steps = []
        for app in apps:
            offered = [a for a in app.assignments if a.intent.offered and a.target.is_include]
            wanted = unique_targets([*before, *(a.target for a in offered)])
            has_uninstall = any(a.intent is Intent.UNINSTALL and a.target.is_include for a in app.assignments)
            if not wanted and not has_uninstall:
                wanted = unique_targets(t for s in in_scope_standalone(self.tenant, self.baseline, kinds_of(platform))
                                        for t in s.targets)
            missing = [t for t in sorted(wanted, key=self.order) if not app.uninstall_coverage.covers(t)]
            if not offered and not missing:
                if not has_uninstall:
                    self.leave(check_id, text("{app} ({id}): no group to uninstall it from", app=app.display_name,
                                              id=app.id))
                continue
            if any(not a.id for a in offered):
                self.leave(check_id, text("{app} ({id}): an assignment without an id cannot be removed through "
                                          "Graph; remove it in the admin center", app=app.display_name, id=app.id))
                offered = [a for a in offered if a.id]
            effects: list[Effect] = [DeleteAppAssignment(app.id, a.id) for a in sorted(
                offered, key=lambda a: (self.order(a.target), a.id))]
            blocks: list[Block] = [text(f"{_INTENT_NAME.get(a.intent.value, a.intent.value)}: remove {{t}}",
                                        t=self.target_text(a.target)) for a in sorted(
                offered, key=lambda a: (self.order(a.target), a.id))]
            remaining = [a for a in app.assignments if a not in offered]
            known = [*self.app_targets(app), *self.known_targets()]
            for target in missing:
                clash = [a for a in remaining if a.target.group_id == target.group_id and target.group_id]
                if clash:
                    self.leave(check_id, text("{app} ({id}): {t} already has an assignment ({intent}); Intune "
                                              "takes one per group", app=app.display_name, id=app.id,
                                              t=self.target_text(target).plain(), intent=clash[0].intent.value))
                    continue
                effects.append(AddAppAssignment(app.id, "uninstall", target_json(target, known)))
                blocks.append(text("Uninstall: add {t}", t=self.target_text(target)))
            steps.append(Step(
                "uninstall-standalone-app", Phase.CLEANUP,
                text("Set the " + _PLATFORM_NAME[platform] + " standalone app {name} to uninstall",
                     name=app.display_name), (check_id,),
                where=text("Apps > All apps > {name} > Properties > Assignments > Edit", name=app.display_name),
                blocks=blocks, effects=effects, destructive=True,
                notes=[text("Remove Required and Available first, then add Uninstall to the same groups (Intune takes "
                            "one assignment per group). Don't delete the app before devices have uninstalled it "
                            "(TUN-DEV-01)")],
                objects=[("app", app.id, app.display_name)]))
        return steps

    def unassign(self, platform: str) -> list[Step]:
        check_id = "TUN-AND-07" if platform == "android" else "TUN-IOS-07"
        if not self.failing(check_id):
            return []
        profiles = _sorted_profiles(p for p in profiles_of_kinds(self.tenant, kinds_of(platform))
                                    if p.standalone and p.assigned)
        if not profiles:
            return []
        return [Step(
            "unassign-standalone", Phase.CLEANUP,
            text("Unassign the " + _PLATFORM_NAME[platform] + " standalone VPN profiles"),
            (check_id, *(("TUN-GW-04",) if self.failing("TUN-GW-04") else ())),
            where=text("Devices > Configuration > the profile > Properties > Assignments > Edit"),
            blocks=[text("{name} ({id}): remove every group ({groups})", name=p.display_name, id=p.id,
                         groups=", ".join(self.target_text(t).plain() for t in sorted(p.targets, key=self.order)))
                    for p in profiles],
            effects=[AssignProfile(p.id, []) for p in profiles], destructive=True,
            notes=[text("Last: devices keep a standalone profile until it is unassigned. Delete the profiles once "
                        "no device reports the standalone app (TUN-DEV-01)")],
            objects=[("profile", p.id, p.display_name) for p in profiles])]


#: (Graph property, admin center label) in the order the VPN profile's pages show them.
_LABELS = (
    ("connectionName", "Connection name"), ("microsoftTunnelSiteId", "Microsoft Tunnel site"),
    ("alwaysOn", "Always-on VPN"), ("alwaysOnLockdown", "Lockdown mode"),
    ("enablePerApp", "Per-app VPN"), ("providerType", "Provider type"),
    ("targetedPackageIds", "Per-app VPN: apps"), ("targetedMobileApps", "Per-app VPN: apps (list)"),
    ("safariDomains", "Safari URLs"), ("associatedDomains", "Associated domains"),
    ("excludedDomains", "Excluded domains"), ("onDemandRules", "On-demand rules"), ("proxyServer", "Proxy"),
)
_LIST_SETTINGS = frozenset({"targetedPackageIds", "targetedMobileApps", "associatedDomains", "excludedDomains",
                            "safariDomains", "onDemandRules"})


def _value(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


def _parity_changes(old: TunnelProfile, new: TunnelProfile, describe: Callable[[str, Any], str]
                    ) -> list[tuple[str, Any, Text]]:
    """(property, value to PATCH, row shown) for each setting TUN-AND-04 / TUN-IOS-03 find different."""
    out: list[tuple[str, Any, Text]] = []

    def row(key: str, value: Any, added: Sequence[Any] = ()) -> Text:
        label = dict(_LABELS).get(key, key)
        shown = describe(key, value) if not added else \
            f"add {describe(key, list(added))} (the list then: {describe(key, value)})"
        return text("{label} {value}", label=f"{label} ({key})", value=shown)

    equal: list[tuple[str, Callable[[TunnelProfile], Any]]] = [
        ("microsoftTunnelSiteId", lambda p: p.site_id), ("proxyServer", lambda p: p.proxy)]
    if old.platform == "android":
        equal += [("alwaysOn", lambda p: p.always_on), ("alwaysOnLockdown", lambda p: p.always_on_lockdown)]
    else:
        equal += [("enablePerApp", lambda p: p.enable_per_app), ("providerType", lambda p: p.provider_type)]
    for key, read in equal:
        if read(old) != read(new):
            value = copy.deepcopy(old.raw.get(key))
            if value is None and key in ("alwaysOn", "alwaysOnLockdown", "enablePerApp"):
                value = False
            out.append((key, value, row(key, value)))
    if old.platform == "android":
        missing = sorted(old.per_app - new.per_app)
        if missing:
            value = [*(new.raw.get("targetedPackageIds") or []), *missing]
            out.append(("targetedPackageIds", value, row("targetedPackageIds", value, missing)))
        return out
    for key in ("associatedDomains", "excludedDomains", "safariDomains"):
        missing = sorted(set(old.raw.get(key) or []) - set(new.raw.get(key) or []))
        if missing:
            value = [*(new.raw.get(key) or []), *missing]
            out.append((key, value, row(key, value, missing)))
    have = {on_demand_rule_key(r) for r in new.raw.get("onDemandRules") or [] if isinstance(r, dict)}
    rules = [r for r in old.raw.get("onDemandRules") or [] if isinstance(r, dict) and on_demand_rule_key(r) not in have]
    if rules:
        value = [*(new.raw.get("onDemandRules") or []), *copy.deepcopy(rules)]
        out.append(("onDemandRules", value, row("onDemandRules", value, rules)))
    return out
