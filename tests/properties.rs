//! Property tests over random small snapshots and random policies (receiver statuses,
//! chains, whether reports block): the offboarding invariants hold for every plan, and
//! plans do not depend on the thread count.

use proptest::prelude::*;
use roster::engine;
use roster::model::Status;
use roster::offboard::{Actor, Channel, Chosen, Options, Request};
use roster::plan::{ActionKind, Plan, What};
use roster::policy::{self, Policy};
use roster::snapshot::{self, CsvFiles, Store};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// A random policy: which statuses receive, whether reports block, and the receiver chains.
#[derive(Debug, Clone)]
struct Rules {
    receivers: Vec<&'static str>,
    reports_block: bool,
    teams_hand_over: bool,
    reports_to: Vec<String>,
    teams_to: Vec<String>,
    opportunity_to: Vec<String>,
    other_to: Vec<String>,
    /// `[[deactivation.min_holders]]` on a role, with its count.
    min_holders: Option<(&'static str, u32)>,
}

const STRATEGIES: [&str; 8] = [
    "manager",
    "manager_chain",
    "team_leader",
    "first_team_leader",
    "account_owner",
    "least_loaded_peer",
    "keep",
    "user:u1",
];

fn chain() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(
        prop_oneof![
            8 => proptest::sample::select(&STRATEGIES[..]).prop_map(str::to_owned),
            1 => (0usize..14).prop_map(|u| format!("user:u{u}")),
        ],
        1..4,
    )
}

fn rules() -> impl Strategy<Value = Rules> {
    (
        proptest::sample::subsequence(vec!["active", "idle", "invited", "suspended"], 1..4),
        any::<bool>(),
        any::<bool>(),
        chain(),
        chain(),
        chain(),
        chain(),
        proptest::option::of((proptest::sample::select(vec!["admin", "manager", "rep"]), 1u32..4)),
    )
        .prop_map(
            |(
                receivers,
                reports_block,
                teams_hand_over,
                reports_to,
                teams_to,
                opportunity_to,
                other_to,
                min_holders,
            )| Rules {
                receivers,
                reports_block,
                teams_hand_over,
                reports_to,
                teams_to,
                opportunity_to,
                other_to,
                min_holders,
            },
        )
}

fn toml_list(items: &[impl AsRef<str>]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("\"{}\"", s.as_ref())).collect();
    format!("[{}]", quoted.join(", "))
}

fn policy(rules: &Rules) -> Policy {
    let text = format!(
        r#"
name = "prop"
[roles]
order = ["admin", "manager", "rep"]
[roles.permissions]
admin = ["manage_users", "manage_teams"]
manager = ["manage_teams"]
[idle]
after = "30d"
suspend_after = "60d"
deactivate_after = "90d"
[deactivation]
protected = {{ flags = ["account_owner"] }}
required_fields = ["phone"]
receivers = {receivers}
{min_holders}
[leaders]
teams = "{teams}"
teams_to = {teams_to}
direct_reports = "{reports}"
direct_reports_to = {reports_to}
bulk_refuse = {{ permissions = ["manage_teams"] }}
[records.opportunity]
states = {{ open = "transfer", closed = "keep" }}
transfer_to = {opportunity_to}
[records.subscription]
states = {{ active = "cancel", "*" = "keep" }}
[records.pin]
states = {{ "*" = "transfer" }}
transfer_to = ["keep"]
[records.routing_rule]
states = {{ "*" = "block" }}
[records."*"]
states = {{ "*" = "transfer" }}
transfer_to = {other_to}
"#,
        receivers = toml_list(&rules.receivers),
        min_holders = match rules.min_holders {
            Some((role, count)) => {
                format!("[[deactivation.min_holders]]\nwhere = {{ role = [\"{role}\"] }}\ncount = {count}")
            }
            None => String::new(),
        },
        teams = if rules.teams_hand_over { "hand_over" } else { "block" },
        teams_to = toml_list(&rules.teams_to),
        reports = if rules.reports_block { "block" } else { "reassign" },
        reports_to = toml_list(&rules.reports_to),
        opportunity_to = toml_list(&rules.opportunity_to),
        other_to = toml_list(&rules.other_to),
    );
    policy::parse(&text, Path::new("prop.toml")).expect("the property policy compiles")
}

#[derive(Debug, Clone)]
struct World {
    users: String,
    teams: String,
    records: String,
    targets: Vec<(usize, Option<usize>, Option<usize>)>,
    actor: usize,
    bulk: bool,
    rules: Rules,
}

fn world() -> impl Strategy<Value = World> {
    (2usize..14, 0usize..4, 0usize..30).prop_flat_map(|(n, t, r)| {
        let user = (
            0usize..3,                             // role
            prop_oneof![6 => Just("active"), 1 => Just("idle"), 1 => Just("invited"), 1 => Just("suspended"), 1 => Just("deactivated"), 1 => Just("left")],
            proptest::option::of(0..n + 1),         // manager (n = a dangling id)
            proptest::collection::vec(0..t.max(1) + 1, 0..3), // teams
            any::<bool>(),                          // phone
            0u32..200,                              // days since login
        );
        (
            proptest::collection::vec(user, n),
            proptest::collection::vec(proptest::option::of(0..n), t),
            proptest::collection::vec((0usize..5, 0usize..2, 0..n + 1), r),
            proptest::collection::vec(
                (0..n + 1, proptest::option::weighted(0.2, 0..n + 1), proptest::option::weighted(0.2, 0..n)),
                0..n.min(6) + 1,
            ),
            0..n + 1,
            any::<bool>(),
            0..n,
            rules(),
        )
            .prop_map(move |(users, leaders, records, targets, actor, bulk, owner, rules)| {
                let roles = ["admin", "manager", "rep"];
                let mut u = String::from("id,email,name,phone,role,status,manager_id,teams,flags,last_login_at\n");
                for (i, (role, status, manager, teams, phone, days)) in users.iter().enumerate() {
                    let teams: Vec<String> = teams.iter().map(|t| format!("t{t}")).collect();
                    u.push_str(&format!(
                        "u{i},u{i}@p.example,User {i},{},{},{status},{},{},{},2026-{:02}-01\n",
                        if *phone { "+1-555" } else { "" },
                        roles[*role],
                        manager.map(|m| format!("u{m}")).unwrap_or_default(),
                        teams.join(";"),
                        if i == owner { "account_owner" } else { "" },
                        11 - (days / 31).min(10),
                    ));
                }
                let mut tm = String::from("id,name,leader_id\n");
                for (i, l) in leaders.iter().enumerate() {
                    tm.push_str(&format!("t{i},Team {i},{}\n", l.map(|l| format!("u{l}")).unwrap_or_default()));
                }
                let kinds = ["opportunity", "subscription", "pin", "contact", "routing_rule"];
                let mut rc = String::from("id,kind,owner_id,state\n");
                for (i, (kind, state, owner)) in records.iter().enumerate() {
                    let state = match (kinds[*kind], state) {
                        ("opportunity", 0) => "open",
                        ("opportunity", _) => "closed",
                        ("subscription", 0) => "active",
                        (_, 0) => "active",
                        _ => "cancelled",
                    };
                    rc.push_str(&format!("r{i},{},u{owner},{state}\n", kinds[*kind]));
                }
                World { users: u, teams: tm, records: rc, targets, actor, bulk, rules }
            })
    })
}

fn load(w: &World, policy: &Policy) -> Store {
    let files = CsvFiles {
        users: w.users.clone().into_bytes(),
        teams: Some(w.teams.clone().into_bytes()),
        records: Some(w.records.clone().into_bytes()),
        meta: Some(
            b"taken_at = \"2026-11-22T00:00:00Z\"\n[account]\nseats = 5\nowner = \"u0\"\n".to_vec(),
        ),
        blocked_emails: None,
    };
    snapshot::parse_folder(Path::new("prop"), &files, policy.reading(), &snapshot::Silent)
        .expect("generated snapshots load")
}

fn offboard<'a>(w: &World, policy: &'a Policy, store: &'a Store) -> Plan<'a> {
    let requests: Vec<Request> = w
        .targets
        .iter()
        .map(|(t, records, reports)| Request {
            user: format!("u{t}"),
            chosen: Chosen {
                records: records.map(|r| format!("u{r}")),
                reports: reports.map(|r| format!("u{r}")),
            },
            why: "test".into(),
            rule: None,
        })
        .collect();
    let actor = match store.user_ix(&format!("u{}", w.actor)) {
        Some(a) => Actor::User(a),
        None => Actor::Unknown(format!("u{}", w.actor)),
    };
    let options = Options {
        actor,
        channel: if w.bulk { Channel::Bulk } else { Channel::Manual },
        allow_reactivation: false,
        rule: "offboard",
        orphans: false,
    };
    let as_of = store.taken_at.expect("taken_at");
    engine::offboarding(policy, store, as_of, &requests, &options, None).expect("plan")
}

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool").install(f)
}

/// Every user's status after the plan, worked out here from the plan's actions alone
/// (SPEC: the status-changing action last in action order wins).
fn statuses_after(plan: &Plan, store: &Store) -> HashMap<String, Status> {
    let mut after: HashMap<String, (ActionKind, Status)> = HashMap::new();
    for a in &plan.actions {
        let s = match a.action {
            ActionKind::MarkIdle => Status::Idle,
            ActionKind::MarkActive | ActionKind::Reactivate => Status::Active,
            ActionKind::Suspend => Status::Suspended,
            ActionKind::Deactivate | ActionKind::RescindInvite => Status::Deactivated,
            _ => continue,
        };
        let e = after.entry(a.user.to_string()).or_insert((a.action, s));
        if a.action >= e.0 {
            *e = (a.action, s);
        }
    }
    store
        .users
        .iter()
        .map(|u| {
            let id = u.id().to_string();
            let s = after.get(&id).map_or(u.status(), |(_, s)| *s);
            (id, s)
        })
        .collect()
}

/// The invariants every plan must keep. `targets` are the users the plan was asked to
/// offboard (found in the snapshot), allowed or refused.
fn check_invariants(
    plan: &Plan,
    policy: &Policy,
    store: &Store,
    targets: &HashSet<String>,
    min_holders: Option<(&str, u32)>,
) -> Result<(), TestCaseError> {
    let offboarded: HashSet<&str> = plan.summary.offboarded.keys().map(String::as_str).collect();
    let blocked: HashSet<&str> = plan.blocked.iter().map(|b| b.user.as_ref()).collect();
    let after = statuses_after(plan, store);
    // The last holders of a role stay: an active holder leaves only when at least `count`
    // active holders remain after the plan.
    if let Some((role, count)) = min_holders {
        let holds = |id: &str, status: Status| {
            status == Status::Active
                && store
                    .user_ix(id)
                    .is_some_and(|u| policy.roles.name(store.user(u).role()) == role)
        };
        let changed_by_rules: HashSet<&str> = plan
            .actions
            .iter()
            .filter(|a| matches!(a.action, ActionKind::MarkIdle | ActionKind::Suspend))
            .map(|a| a.user.as_ref())
            .collect();
        let left = plan.summary.offboarded.keys().filter(|id| {
            let before = store.user_ix(id).map(|u| store.user(u).status());
            before.is_some_and(|s| holds(id, s)) && !changed_by_rules.contains(id.as_str())
        });
        if left.count() > 0 {
            let remaining = after.iter().filter(|(id, s)| holds(id, **s)).count();
            prop_assert!(
                remaining >= count as usize,
                "{remaining} {role} holders remain of {count}"
            );
        }
    }
    // Every code is one `--fail-on` and the reference know.
    for f in &plan.findings {
        prop_assert!(roster::plan::FINDING_CODES.contains(&f.code.as_ref()), "unlisted {}", f.code);
    }
    for b in &plan.blocked {
        prop_assert!(roster::plan::BLOCK_CODES.contains(&b.code.as_ref()), "unlisted {}", b.code);
    }
    // Conservation, per offboarded user, against the snapshot itself.
    for (id, c) in &plan.summary.offboarded {
        prop_assert!(c.holds(), "conservation broken for {id}: {c:?}");
        prop_assert!(targets.contains(id), "{} is offboarded but was no target", id);
        let u = store.user_ix(id).expect("offboarded users exist");
        prop_assert_eq!(c.records, store.record_count(u), "{} owns a different count", id);
        let moved: usize = plan
            .reassignments
            .iter()
            .filter(|r| r.from == *id && r.what == What::Records)
            .map(|r| r.count)
            .sum();
        prop_assert_eq!(
            moved,
            c.transferred,
            "transferred of {} differs from its reassignments",
            id
        );
        let cancelled = plan
            .actions
            .iter()
            .filter(|a| a.user == *id && a.action == ActionKind::CancelRecord)
            .count();
        prop_assert_eq!(cancelled, c.cancelled);
    }
    // Receivers exist, are not the giver, are no target (allowed or refused), and have a
    // `receivers` status after the plan; nobody is handed to themself as a report.
    for r in &plan.reassignments {
        prop_assert_ne!(&r.from, &r.to);
        prop_assert!(!targets.contains(r.to.as_ref()), "{} receives but is a target", r.to);
        let to = store.user_ix(&r.to).expect("receivers exist");
        let status = after[r.to.as_ref()];
        prop_assert!(
            policy.deactivation.may_receive(status),
            "{} receives but is {} after the plan",
            r.to,
            status
        );
        prop_assert_eq!(r.count, r.ids.len());
        let from = store.user_ix(&r.from).expect("givers exist");
        prop_assert!(
            offboarded.contains(r.from.as_ref())
                || (r.what == What::Records
                    && !targets.contains(r.from.as_ref())
                    && matches!(store.user(from).status(), Status::Deactivated | Status::Left)),
            "{} hands over but neither leaves nor has left",
            r.from
        );
        if r.what == What::Reports {
            prop_assert!(!r.ids.contains(&r.to), "{} would manage themself", r.to);
            for id in &r.ids {
                let report = store.user_ix(id).expect("reports exist");
                prop_assert_eq!(store.user(report).manager().ix(), Some(from));
            }
            let _ = to;
        }
    }
    // No report is left under a manager this plan deactivates.
    for id in &offboarded {
        let m = store.user_ix(id).expect("offboarded users exist");
        for report in store.reports_of(m) {
            let rid = store.user(report).id().to_string();
            let leaves = offboarded.contains(rid.as_str())
                || (targets.contains(&rid) && store.user(report).status() == Status::Deactivated);
            if leaves {
                continue;
            }
            prop_assert!(
                plan.reassignments.iter().any(|r| r.what == What::Reports
                    && r.from == *id
                    && r.ids.iter().any(|i| *i == *rid)),
                "{} stays under {}, whom the plan deactivates",
                rid,
                id
            );
        }
    }
    // A blocked user has no offboarding action and gives nothing away (other rules may
    // still act on them: a directory leaver who logged in lately is marked active).
    let offboarding = |k: ActionKind| {
        matches!(
            k,
            ActionKind::Deactivate
                | ActionKind::RescindInvite
                | ActionKind::RevokeSessions
                | ActionKind::FreeSeat
                | ActionKind::RemoveFromTeam
                | ActionKind::BlockEmail
                | ActionKind::CancelRecord
        )
    };
    for b in &blocked {
        prop_assert!(
            !plan.actions.iter().any(|a| a.user == *b && offboarding(a.action)),
            "blocked {} has an offboarding action",
            b
        );
        prop_assert!(!plan.reassignments.iter().any(|r| r.from == *b), "blocked {} hands over", b);
        prop_assert!(!offboarded.contains(b));
    }
    // Every offboarded user was deactivated or had the invite rescinded.
    for id in &offboarded {
        prop_assert!(plan.actions.iter().any(|a| a.user == *id
            && matches!(a.action, ActionKind::Deactivate | ActionKind::RescindInvite)));
    }
    // Every id the plan names is in the snapshot.
    for a in &plan.actions {
        prop_assert!(store.user_ix(&a.user).is_some());
    }
    Ok(())
}

/// The users an offboarding was asked for that exist.
fn requested(w: &World, store: &Store) -> HashSet<String> {
    w.targets
        .iter()
        .map(|(t, ..)| format!("u{t}"))
        .filter(|id| store.user_ix(id).is_some())
        .collect()
}

/// The users a nightly plan offboards or refuses to: its idle and directory escalations.
fn escalated(plan: &Plan) -> HashSet<String> {
    let mut t: HashSet<String> = plan
        .actions
        .iter()
        .filter(|a| {
            (a.rule == "idle" || a.rule == "directory")
                && matches!(a.action, ActionKind::Deactivate | ActionKind::RescindInvite)
        })
        .map(|a| a.user.to_string())
        .collect();
    t.extend(plan.blocked.iter().map(|b| b.user.to_string()));
    t
}

/// A random directory for a world's users: per user, absent, active, terminated, or
/// active with a leave date (days from `as_of`, past or future), its e-mail in another
/// case or not, and its manager in the directory (a user index) or none. Returns the CSV.
fn directory_csv(n: usize, people: &[(u8, bool, i64, Option<usize>)]) -> String {
    let mut out = String::from("id,email,status,leave_date,manager_id\n");
    for (i, &(kind, upper, days, manager)) in people.iter().enumerate().take(n) {
        if kind == 0 {
            continue; // absent
        }
        let email = if upper { format!("U{i}@P.EXAMPLE") } else { format!("u{i}@p.example") };
        let status = if kind == 2 { "terminated" } else { "active" };
        let leave = if kind == 3 {
            chrono::NaiveDate::from_ymd_opt(2026, 11, 22)
                .and_then(|d| d.checked_add_signed(chrono::TimeDelta::days(days)))
                .map(|d| d.to_string())
                .unwrap_or_default()
        } else {
            String::new()
        };
        let manager = manager.map(|m| format!("p{m}")).unwrap_or_default();
        out.push_str(&format!("p{i},{email},{status},{leave},{manager}\n"));
    }
    out
}

/// Who the directory rule must offboard: live users (not exempt) whose person is absent,
/// terminated, or past their leave date plus the grace.
fn directory_leavers(
    store: &Store,
    people: &[(u8, bool, i64, Option<usize>)],
    grace: i64,
) -> HashSet<String> {
    let mut out = HashSet::new();
    for (i, u) in store.users.iter().enumerate() {
        let live = matches!(
            u.status(),
            Status::Invited | Status::Active | Status::Idle | Status::Suspended
        );
        let exempt = u.flags().next().is_some(); // the account owner's flag: directory.exempt
        let (kind, _, days, _) = people.get(i).copied().unwrap_or((0, false, 0, None));
        let gone = match kind {
            0 => !exempt,
            2 => true,
            3 => days + grace <= 0,
            _ => false,
        };
        if live && gone {
            out.insert(u.id().to_string());
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn directory_offboardings_keep_the_invariants_and_offboard_exactly_the_leavers(
        w in world(),
        people in proptest::collection::vec((0u8..4, any::<bool>(), -20i64..20, proptest::option::of(0usize..14)), 14),
        grace in 0i64..5,
        directory_wins in any::<bool>(),
    ) {
        // The world's policy, with a [directory] table.
        let mut text = policy(&w.rules).source;
        text.push_str(&format!(
            "\n[directory]\non_missing = \"offboard\"\ngrace = \"{grace}d\"\nmanager = \"{}\"\nexempt = {{ flags = [\"account_owner\"] }}\n",
            if directory_wins { "directory" } else { "report" }
        ));
        let policy = policy::parse(&text, Path::new("prop.toml")).expect("the directory policy compiles");
        let store = load(&w, &policy);
        let n = store.users.len();
        let csv = directory_csv(n, &people);
        let dir = roster::directory::parse(Path::new("hr.csv"), csv.as_bytes(), &policy.directory)
            .expect("the generated directory loads");
        let as_of = store.taken_at.expect("taken_at");
        let extra = engine::Extra { previous: None, directory: Some(&dir) };
        let one = in_pool(1, || engine::nightly(&policy, &store, as_of, extra).expect("plan"));
        let four = in_pool(4, || engine::nightly(&policy, &store, as_of, extra).expect("plan"));
        prop_assert_eq!(&one, &four);
        check_invariants(&one, &policy, &store, &escalated(&one), w.rules.min_holders)?;
        // Exactly the leavers are offboarded by the directory (allowed or refused), unless
        // the idle rule got there first.
        let leavers = directory_leavers(&store, &people, grace);
        let idle: HashSet<String> = one.actions.iter().filter(|a| a.rule == "idle"
            && matches!(a.action, ActionKind::Deactivate | ActionKind::RescindInvite)).map(|a| a.user.to_string()).collect();
        let by_directory: HashSet<String> = one.actions.iter().filter(|a| a.rule == "directory"
            && matches!(a.action, ActionKind::Deactivate | ActionKind::RescindInvite)).map(|a| a.user.to_string()).collect();
        let refused: HashSet<String> = one.blocked.iter().map(|b| b.user.to_string()).collect();
        for id in &leavers {
            prop_assert!(by_directory.contains(id) || refused.contains(id) || idle.contains(id),
                "{} should be offboarded: {:?}", id, one);
        }
        for id in &by_directory {
            prop_assert!(leavers.contains(id), "{} is offboarded by the directory but is no leaver", id);
        }
        // A set_manager names the account of the person's directory manager, never the user.
        for a in one.actions.iter().filter(|a| a.action == ActionKind::SetManager) {
            prop_assert!(directory_wins);
            prop_assert_eq!(a.to.len(), 1);
            prop_assert!(a.to[0] != a.user);
            prop_assert!(store.user_ix(&a.to[0]).is_some());
            // ... whose person is still there: active, and not past a leave date.
            let j: usize = a.to[0].trim_start_matches('u').parse().expect("a generated id");
            let (kind, _, days, _) = people[j];
            prop_assert!(kind == 1 || (kind == 3 && days > 0), "{} gets a leaver as manager", a.user);
        }
    }

    #[test]
    fn offboarding_keeps_its_invariants_and_ignores_thread_count(w in world()) {
        let policy = policy(&w.rules);
        let store = load(&w, &policy);
        let one = in_pool(1, || offboard(&w, &policy, &store));
        let four = in_pool(4, || offboard(&w, &policy, &store));
        prop_assert_eq!(&one, &four);
        check_invariants(&one, &policy, &store, &requested(&w, &store), w.rules.min_holders)?;
    }

    #[test]
    fn nightly_plans_keep_the_invariants_and_ignore_thread_count(w in world()) {
        let policy = policy(&w.rules);
        let store = load(&w, &policy);
        let as_of = store.taken_at.expect("taken_at");
        let one = in_pool(1, || engine::nightly(&policy, &store, as_of, roster::engine::Extra::default()).expect("plan"));
        let four = in_pool(4, || engine::nightly(&policy, &store, as_of, roster::engine::Extra::default()).expect("plan"));
        prop_assert_eq!(&one, &four);
        check_invariants(&one, &policy, &store, &escalated(&one), w.rules.min_holders)?;
    }
}
