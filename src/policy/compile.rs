//! Raw policy -> validated [`Policy`]: every cross-reference is checked and every problem
//! collected with its TOML position.

use super::matcher::{Clause, Matcher};
use super::raw::{
    ActorRank, OneOrMany, RawIdleOverride, RawMatcher, RawPolicy, RawRecordKind, ReportsPolicy,
    TeamsPolicy,
};
use super::{
    Deactivation, Dispositions, Idle, IdleOverride, Invites, KindRule, Leaders, Lockout,
    MinHolders, OnExpiry, Policy, Recipient, RequiredField, Roles, Safety, Statuses, Strategy,
    Thresholds, STRATEGY_NAMES,
};
use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::fields::{fields_of, FieldKind, UserField, USER_COLUMNS};
use crate::hints::closest;
use crate::model::{RoleIx, Status};
use crate::snapshot::{
    AttrPath, Input, TimeFormat, BLOCKED_EMAIL_COLUMNS, RECORD_COLUMNS, TEAM_COLUMNS,
};
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::Path;
use toml::Spanned;

/// Parses and validates policy TOML read from `path`.
pub fn parse(source: &str, path: &Path) -> Result<Policy, Diagnostics> {
    let raw: RawPolicy = toml::from_str(source).map_err(|e| {
        // The reader stops at the first unknown key: report them all, top to bottom.
        if e.message().starts_with("unknown field") {
            let all = super::keys::unknown_keys(source, path);
            if !all.is_empty() {
                return Diagnostics(all);
            }
        }
        let d = Diagnostic::file(path, tidy_toml_message(e.message()));
        let d = match e.span() {
            Some(span) => d.at(Location::of_offset(source, span.start)),
            None => d,
        };
        Diagnostics(vec![with_toml_help(d)])
    })?;
    let mut c = Compiler { source, path, problems: Vec::new() };
    let policy = c.policy(raw);
    if c.problems.is_empty() {
        Ok(policy)
    } else {
        // Report in file order, so the fixes can be made top to bottom.
        c.problems.sort_by_key(|d| (d.location.line, d.location.column));
        Err(Diagnostics(c.problems))
    }
}

/// toml's messages end in a newline and sometimes a period; ours do not.
fn tidy_toml_message(message: &str) -> String {
    crate::hints::toml_message(message)
}

/// Adds a help line for the common TOML mistakes.
fn with_toml_help(mut d: Diagnostic) -> Diagnostic {
    if let Some((message, hint)) = d.message.split_once("; write ") {
        let help = format!("write {hint}");
        d.message = message.to_owned();
        return d.help(help);
    }
    let m = &d.message;
    if m.starts_with("unknown field") || m.starts_with("unknown variant") {
        // "unknown field `aftre`, expected one of `after`, ...": suggest the near one.
        let quoted: Vec<&str> = m.split('`').skip(1).step_by(2).collect();
        let near = quoted
            .split_first()
            .and_then(|(given, known)| closest(given, known.iter().copied()))
            .map(str::to_owned);
        if let Some(near) = near {
            return d.help(format!("did you mean `{near}`?"));
        }
    }
    if m.starts_with("unknown field") {
        d.help("remove or rename the key; the keys this table accepts are listed above")
    } else if m.starts_with("missing field") {
        d.help("add the key; see docs/reference.md for what it means")
    } else if m.starts_with("unknown variant") {
        d.help("use one of the values listed above")
    } else {
        d
    }
}

pub(super) struct Compiler<'a> {
    pub(super) source: &'a str,
    pub(super) path: &'a Path,
    pub(super) problems: Vec<Diagnostic>,
}

impl Compiler<'_> {
    pub(super) fn error(&mut self, span: Range<usize>, message: String, help: impl Into<String>) {
        self.problems.push(
            Diagnostic::file(self.path, message)
                .at(Location::of_offset(self.source, span.start))
                .help(help),
        );
    }

    fn policy(&mut self, raw: RawPolicy) -> Policy {
        if raw.name.get_ref().trim().is_empty() {
            self.error(raw.name.span(), "`name` is empty".into(), "give the policy a name");
        }
        let roles = self.roles(&raw.roles);
        let statuses = self.statuses(raw.statuses.as_ref());
        let invites = raw.invites.map(|i| Invites {
            expire_after: i.expire_after,
            on_expiry: i.on_expiry.unwrap_or(OnExpiry::Report),
            max_resends: i.max_resends.unwrap_or(0),
        });
        let idle = raw.idle.map(|i| {
            let span = i.span();
            let i = i.into_inner();
            let base = Thresholds {
                after: i.after,
                suspend_after: i.suspend_after,
                deactivate_after: i.deactivate_after,
                notify_before: i.notify_before,
            };
            self.check_thresholds(&base, "[idle]", Some(span.clone()));
            let exempt = i.exempt.map(|m| self.matcher(m, "idle.exempt", &roles, &statuses));
            let overrides = i
                .overrides
                .into_iter()
                .enumerate()
                .map(|(n, o)| self.idle_override(o, n + 1, base, &roles, &statuses))
                .collect();
            let notify = match &i.notify {
                None => Vec::new(),
                Some(list) if list.is_empty() => {
                    self.error(
                        span.clone(),
                        "`idle.notify` is an empty list: nobody would be told".into(),
                        "name recipients: \"user\", \"manager\" or \"user:<id>\", or remove the key",
                    );
                    Vec::new()
                }
                Some(list) => list
                    .iter()
                    .filter_map(|r| {
                        let text = r.get_ref().trim();
                        match text {
                            "user" => Some(Recipient::User),
                            "manager" => Some(Recipient::Manager),
                            _ => match text.strip_prefix("user:").map(str::trim) {
                                Some(id) if !id.is_empty() => Some(Recipient::Named(id.to_owned())),
                                _ => {
                                    self.error(
                                        r.span(),
                                        format!("`{text}` is not a recipient of idle.notify"),
                                        "use \"user\", \"manager\" or \"user:<id>\"",
                                    );
                                    None
                                }
                            },
                        }
                    })
                    .collect(),
            };
            Idle {
                thresholds: base,
                exempt,
                exempt_review_after: i.exempt_review_after,
                overrides,
                notify,
            }
        });
        let lockout = raw.lockout.map(|l| Lockout {
            max_failed_logins: l.max_failed_logins,
            unlock_after: l.unlock_after,
        });
        let deactivation = self.deactivation(raw.deactivation, &roles, &statuses);
        let leaders = self.leaders(raw.leaders, &roles, &statuses);
        let records = self.records(raw.records);
        let mut record_names: Vec<String> = Vec::new();
        for (kind, rule) in &records.kinds {
            record_names.push(kind.clone());
            record_names.extend(rule.states.keys().cloned());
        }
        let input = self.input(raw.snapshot.unwrap_or_default());
        let directory = self.directory(raw.directory, &roles, &statuses);
        let safety = raw.safety.map_or_else(Safety::default, |s| Safety {
            max_deactivations: s.max_deactivations,
            max_suspensions: s.max_suspensions,
            max_actions: s.max_actions,
        });
        Policy {
            name: raw.name.into_inner().trim().to_owned(),
            description: raw.description,
            path: self.path.to_path_buf(),
            source: self.source.to_owned(),
            sha256: crate::hash::sha256(self.source.as_bytes()),
            roles,
            statuses,
            invites,
            idle,
            lockout,
            deactivation,
            leaders,
            records,
            safety,
            input,
            record_names,
            directory,
        }
    }

    fn input(&mut self, raw: super::input::RawSnapshot) -> Input {
        let mut input = Input::default();
        let columns = raw.columns.unwrap_or_default();
        for (file, map, known, slot) in [
            ("users", columns.users, &USER_COLUMNS[..], &mut input.users),
            ("teams", columns.teams, &TEAM_COLUMNS[..], &mut input.teams),
            ("records", columns.records, &RECORD_COLUMNS[..], &mut input.records),
            (
                "blocked_emails",
                columns.blocked_emails,
                &BLOCKED_EMAIL_COLUMNS[..],
                &mut input.blocked_emails,
            ),
        ] {
            let mut headers: Vec<(String, String)> = Vec::new();
            for (column, header) in map {
                let table = format!("[snapshot.columns.{file}]");
                if !known.contains(&column.as_str()) {
                    let hint = match closest(&column, known.iter().copied()) {
                        Some(c) => format!("did you mean `{c}`? "),
                        None => String::new(),
                    };
                    self.error(
                        header.span(),
                        format!("{table} maps `{column}`, which is not a column of {file}.csv"),
                        format!("{hint}the keys are roster's column names: {}", known.join(", ")),
                    );
                    continue;
                }
                let text = header.get_ref().trim();
                if text.is_empty() {
                    self.error(
                        header.span(),
                        format!("{table} maps `{column}` to an empty header"),
                        "write the header of the export's column, or remove the key",
                    );
                    continue;
                }
                let key = text.to_lowercase();
                if let Some((other, _)) = headers.iter().find(|(_, h)| *h == key) {
                    self.error(
                        header.span(),
                        format!("{table} maps both `{other}` and `{column}` to `{text}`"),
                        "map each header to one column",
                    );
                    continue;
                }
                headers.push((column.clone(), key));
                slot.entries.push((column, text.to_owned()));
            }
        }
        let time_fields: Vec<&str> = fields_of(FieldKind::Time).collect();
        for (key, f) in raw.formats.unwrap_or_default() {
            let any = key == "*";
            if !any && !time_fields.contains(&key.as_str()) {
                let hint = match closest(&key, time_fields.iter().copied()) {
                    Some(c) => format!("did you mean `{c}`? "),
                    None => String::new(),
                };
                self.error(
                    f.span(),
                    format!("[snapshot.formats] names `{key}`, which is not a time column"),
                    format!(
                        "{hint}the keys are `\"*\"` (every time column) and {}",
                        time_fields.join(", ")
                    ),
                );
                continue;
            }
            match TimeFormat::parse(f.get_ref()) {
                Ok(t) if any => input.formats.any = Some(t),
                Ok(t) => input.formats.fields.push((key, t)),
                Err(message) => {
                    let key = if any { "\"*\"" } else { key.as_str() };
                    self.error(
                        f.span(),
                        format!("snapshot.formats.{key}: {message}"),
                        "write a chrono strftime format such as \"%m/%d/%Y %H:%M\" or \"%d.%m.%Y\"",
                    );
                }
            }
        }
        if let Some(d) = raw.delimiter {
            match d.get_ref().as_bytes() {
                [b] if !matches!(b, b'"' | b'\n' | b'\r') && b.is_ascii() && !b.is_ascii_alphanumeric() => {
                    input.delimiter = Some(*b);
                }
                _ => self.error(
                    d.span(),
                    format!("[snapshot] delimiter {} is not one separator character", crate::diag::quote(d.get_ref())),
                    "write one character that is not a letter, a digit, a quote or a line break: \",\", \";\", \"\\t\" or \"|\"",
                ),
            }
        }
        let scim = raw.scim.unwrap_or_default();
        for (table, map, slot) in [
            ("users", scim.users, &mut input.scim_users),
            ("teams", scim.teams, &mut input.scim_teams),
        ] {
            for (field, path) in map {
                if table == "teams" && !TEAM_COLUMNS.contains(&field.as_str()) {
                    self.error(
                        path.span(),
                        format!("[snapshot.scim.teams] maps `{field}`, which is not a team field"),
                        format!("the keys are {}", TEAM_COLUMNS.join(", ")),
                    );
                    continue;
                }
                match AttrPath::parse(path.get_ref()) {
                    Ok(p) => slot.push((field, p)),
                    Err(message) => self.error(
                        path.span(),
                        format!("[snapshot.scim.{table}] {field}: {message}"),
                        "write a SCIM attribute path such as `emails[primary eq true].value` or \
                         `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`",
                    ),
                }
            }
        }
        input
    }

    fn roles(&mut self, raw: &super::raw::RawRoles) -> Roles {
        let mut names = Vec::new();
        let mut lookup: HashMap<String, RoleIx> = HashMap::new();
        if raw.order.is_empty() {
            self.problems.push(
                Diagnostic::file(self.path, "`roles.order` is empty".to_owned()).help(
                    "list the roles, highest rank first: order = [\"admin\", \"manager\", \"rep\"]",
                ),
            );
        }
        for (i, name) in raw.order.iter().enumerate() {
            let text = name.get_ref().trim();
            let key = text.to_lowercase();
            if text.is_empty() {
                self.error(name.span(), "a role name is empty".into(), "remove the empty entry");
            } else {
                match lookup.entry(key) {
                    Entry::Occupied(_) => self.error(
                        name.span(),
                        format!("role `{text}` is listed twice in `roles.order`"),
                        "list each role once, highest rank first",
                    ),
                    Entry::Vacant(slot) => {
                        slot.insert(RoleIx(u16::try_from(i).unwrap_or(u16::MAX)));
                    }
                }
            }
            names.push(text.to_owned());
        }
        if names.len() > usize::from(u16::MAX) {
            self.problems.push(Diagnostic::file(self.path, "more than 65535 roles".to_owned()));
        }
        let canonical = lookup.clone();
        for (alias, target) in &raw.aliases {
            let key = alias.trim().to_lowercase();
            match canonical.get(&target.get_ref().trim().to_lowercase()) {
                None => self.error(
                    target.span(),
                    format!(
                        "alias `{alias}` points to `{}`, which is not in `roles.order`",
                        target.get_ref()
                    ),
                    format!("point it to one of {}", quoted_list(&names)),
                ),
                Some(&ix) => match lookup.get(&key) {
                    Some(&existing) if existing != ix && canonical.contains_key(&key) => self
                        .error(
                            target.span(),
                            format!(
                                "alias `{alias}` is already the name of role `{}`",
                                names[existing.index()]
                            ),
                            "an alias must not shadow a role name",
                        ),
                    Some(&existing) if existing != ix => self.error(
                        target.span(),
                        format!(
                            "alias `{alias}` points to `{}`, but another alias spelt the same \
                             (aliases ignore case) points to `{}`",
                            names[ix.index()],
                            names[existing.index()]
                        ),
                        "keep one of the two aliases",
                    ),
                    _ => {
                        lookup.insert(key, ix);
                    }
                },
            }
        }
        let mut permissions = vec![Vec::new(); names.len()];
        for (role, granted) in &raw.permissions {
            match canonical.get(&role.trim().to_lowercase()) {
                Some(ix) => permissions[ix.index()] = granted.get_ref().clone(),
                None => self.error(
                    granted.span(),
                    format!(
                        "`roles.permissions` names role `{role}`, which is not in `roles.order`"
                    ),
                    format!("add `{role}` to `roles.order` or use one of {}", quoted_list(&names)),
                ),
            }
        }
        Roles { names, permissions, lookup }
    }

    fn statuses(&mut self, raw: Option<&super::raw::RawStatuses>) -> Statuses {
        let mut aliases = BTreeMap::new();
        let mut billed = [false; 6];
        let canonical_help = format!(
            "use one of {}",
            Status::ALL.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
        );
        if let Some(raw) = raw {
            for (alias, target) in &raw.aliases {
                match Status::parse(target.get_ref()) {
                    None => self.error(
                        target.span(),
                        format!(
                            "status alias `{alias}` points to `{}`, which is not a status",
                            target.get_ref()
                        ),
                        canonical_help.clone(),
                    ),
                    Some(status) => match Status::parse(alias) {
                        Some(own) if own != status => self.error(
                            target.span(),
                            format!("`{alias}` is a status of its own and cannot alias `{status}`"),
                            "remove the alias",
                        ),
                        _ => {
                            let key = alias.trim().to_lowercase();
                            match aliases.get(&key) {
                                Some(&earlier) if earlier != status => self.error(
                                    target.span(),
                                    format!(
                                        "status alias `{alias}` points to `{status}`, but \
                                         another alias spelt the same (aliases ignore case) \
                                         points to `{earlier}`"
                                    ),
                                    "keep one of the two aliases",
                                ),
                                _ => {
                                    aliases.insert(key, status);
                                }
                            }
                        }
                    },
                }
            }
        }
        let statuses_so_far = Statuses { aliases: aliases.clone(), billed };
        match raw.and_then(|r| r.billed.as_ref()) {
            None => {
                for s in [Status::Invited, Status::Active, Status::Idle] {
                    billed[s.index()] = true;
                }
            }
            Some(list) => {
                for name in list {
                    match statuses_so_far.resolve(name.get_ref()) {
                        Some(s) => billed[s.index()] = true,
                        None => self.error(
                            name.span(),
                            format!(
                                "`statuses.billed` names `{}`, which is not a status",
                                name.get_ref()
                            ),
                            statuses_so_far.known(),
                        ),
                    }
                }
            }
        }
        Statuses { aliases, billed }
    }

    fn check_thresholds(&mut self, t: &Thresholds, table: &str, span: Option<Range<usize>>) {
        let complain = |me: &mut Self, message: String| {
            let d = Diagnostic::file(me.path, message).help(
                "idle thresholds must grow: after <= suspend_after <= deactivate_after, \
                 and notify_before must be shorter than the escalation it warns of",
            );
            let d = match &span {
                Some(s) => d.at(Location::of_offset(me.source, s.start)),
                None => d,
            };
            me.problems.push(d);
        };
        if let Some(s) = t.suspend_after {
            if s < t.after {
                complain(
                    self,
                    format!("{table}: suspend_after ({s}) is shorter than after ({})", t.after),
                );
            }
        }
        if let Some(d) = t.deactivate_after {
            if d < t.after {
                complain(
                    self,
                    format!("{table}: deactivate_after ({d}) is shorter than after ({})", t.after),
                );
            }
            if let Some(s) = t.suspend_after {
                if d < s {
                    complain(
                        self,
                        format!(
                            "{table}: deactivate_after ({d}) is shorter than suspend_after ({s})"
                        ),
                    );
                }
            }
        }
        if let Some(stages) = t.notify_before {
            let n = stages.first();
            let first = t.suspend_after.or(t.deactivate_after);
            if let Some(first) = first {
                if n >= first {
                    complain(self, format!("{table}: notify_before ({n}) is not shorter than the first escalation ({first})"));
                }
            }
        }
    }

    fn idle_override(
        &mut self,
        o: RawIdleOverride,
        number: usize,
        base: Thresholds,
        roles: &Roles,
        statuses: &Statuses,
    ) -> IdleOverride {
        let span = o.matcher.span();
        let key = format!("idle.overrides[{number}].where");
        let matcher = self.matcher(o.matcher, &key, roles, statuses);
        let thresholds = Thresholds {
            after: o.after.unwrap_or(base.after),
            suspend_after: o.suspend_after.or(base.suspend_after),
            deactivate_after: o.deactivate_after.or(base.deactivate_after),
            notify_before: o.notify_before.or(base.notify_before),
        };
        self.check_thresholds(&thresholds, &format!("[[idle.overrides]] #{number}"), Some(span));
        IdleOverride { matcher, thresholds, number }
    }

    pub(super) fn matcher(
        &mut self,
        raw: Spanned<RawMatcher>,
        key: &str,
        roles: &Roles,
        statuses: &Statuses,
    ) -> Matcher {
        let span = raw.span();
        let mut clauses = Vec::new();
        for (field, values) in raw.into_inner() {
            let values = values_of(values);
            let clause = match field.as_str() {
                "role" => {
                    let mut ixs = Vec::new();
                    for v in &values {
                        match roles.resolve(v) {
                            Some(ix) => ixs.push(ix),
                            None => self.error(
                                span.clone(),
                                format!(
                                    "`{key}` names role `{v}`, which the policy does not define"
                                ),
                                roles.known_for(v),
                            ),
                        }
                    }
                    Clause::Role(ixs)
                }
                "status" => {
                    let mut ss = Vec::new();
                    for v in &values {
                        match statuses.resolve(v) {
                            Some(s) => ss.push(s),
                            None => self.error(
                                span.clone(),
                                format!("`{key}` names status `{v}`, which is not a status"),
                                statuses.known_for(v),
                            ),
                        }
                    }
                    Clause::Status(ss)
                }
                "flags" => Clause::Flags(values),
                "permissions" => Clause::Permissions(values),
                "teams" => Clause::Teams(values),
                "id" => Clause::Id(values),
                // Folded once here; the user's side is folded as it is compared.
                "email" => Clause::Email(
                    values.iter().map(|v| crate::model::fold_email(v).into_owned()).collect(),
                ),
                other if other.is_empty() || UserField::named(other).is_some() => {
                    self.error(
                        span.clone(),
                        format!("`{key}` cannot match on `{other}`"),
                        format!(
                            "match on {} or an extra column",
                            super::matcher::matchable_fields()
                        ),
                    );
                    continue;
                }
                // `column:<name>` always names an extra column, even one spelled like a field.
                other if other.starts_with("column:") => Clause::Attribute {
                    name: other.trim_start_matches("column:").to_owned(),
                    values,
                },
                other => {
                    let fields: Vec<&str> = crate::fields::USER_FIELDS
                        .iter()
                        .filter(|f| f.matcher.is_some())
                        .map(|f| f.name)
                        .collect();
                    // A near miss of a field is a typo far more often than a column of
                    // that name: refused here, so that a policy-only check catches it.
                    if let Some(near) = closest(other, fields.iter().copied()) {
                        self.error(
                            span.clone(),
                            format!(
                                "`{key}` matches on `{other}`, which is not a field roster knows"
                            ),
                            format!(
                                "did you mean `{near}`? To match an extra column of users.csv \
                                 named `{other}`, write the key as \"column:{other}\""
                            ),
                        );
                        continue;
                    }
                    Clause::Attribute { name: other.to_owned(), values }
                }
            };
            clauses.push(clause);
        }
        Matcher { clauses, span: Some(span), key: key.to_owned() }
    }

    fn strategies(
        &mut self,
        raw: Option<Vec<Spanned<String>>>,
        key: &str,
    ) -> Option<Vec<Strategy>> {
        let raw = raw?;
        let mut out = Vec::with_capacity(raw.len());
        for s in raw {
            match Strategy::parse(s.get_ref().trim()) {
                Ok(strategy) => out.push(strategy),
                Err(message) => self.error(
                    s.span(),
                    format!("`{key}`: {message}"),
                    format!("use {STRATEGY_NAMES}"),
                ),
            }
        }
        Some(out)
    }

    fn deactivation(
        &mut self,
        raw: Option<super::raw::RawDeactivation>,
        roles: &Roles,
        statuses: &Statuses,
    ) -> Deactivation {
        let mut receivers = [false; 6];
        let Some(raw) = raw else {
            receivers[Status::Active.index()] = true;
            return Deactivation {
                actor_permission: Some("manage_users".to_owned()),
                actor_rank: ActorRank::AtLeastTarget,
                protected: None,
                min_holders: Vec::new(),
                required_fields: Vec::new(),
                revoke_sessions: true,
                block_email: false,
                receivers,
            };
        };
        match &raw.receivers {
            None => receivers[Status::Active.index()] = true,
            Some(list) => {
                for name in list {
                    match statuses.resolve(name.get_ref()) {
                        Some(s) => receivers[s.index()] = true,
                        None => self.error(
                            name.span(),
                            format!(
                                "`deactivation.receivers` names `{}`, which is not a status",
                                name.get_ref()
                            ),
                            statuses.known(),
                        ),
                    }
                }
            }
        }
        let required_fields = raw
            .required_fields
            .iter()
            .filter_map(|f| {
                let name = f.get_ref().trim();
                let required = RequiredField::parse(name);
                if required.is_none() {
                    self.error(
                        f.span(),
                        format!("`{name}` cannot be a required field"),
                        format!("use {} or an extra column", super::requirable_fields()),
                    );
                }
                required
            })
            .collect();
        let protected =
            raw.protected.map(|m| self.matcher(m, "deactivation.protected", roles, statuses));
        let min_holders = raw
            .min_holders
            .into_iter()
            .enumerate()
            .map(|(i, m)| {
                let key = format!("deactivation.min_holders #{}", i + 1);
                let count = match m.count {
                    None => 1,
                    Some(c) if *c.get_ref() == 0 => {
                        self.error(
                            c.span(),
                            format!("`count` of {key} is 0, which asks for nothing"),
                            "write at least 1, or remove the rule",
                        );
                        1
                    }
                    Some(c) => c.into_inner(),
                };
                MinHolders { matcher: self.matcher(m.matcher, &key, roles, statuses), count }
            })
            .collect();
        Deactivation {
            actor_permission: Some(
                raw.actor_permission.unwrap_or_else(|| "manage_users".to_owned()),
            )
            .filter(|p| !p.trim().is_empty()),
            actor_rank: raw.actor_rank.unwrap_or(ActorRank::AtLeastTarget),
            protected,
            min_holders,
            required_fields,
            revoke_sessions: raw.revoke_sessions.unwrap_or(true),
            block_email: raw.block_email.unwrap_or(false),
            receivers,
        }
    }

    fn leaders(
        &mut self,
        raw: Option<super::raw::RawLeaders>,
        roles: &Roles,
        statuses: &Statuses,
    ) -> Leaders {
        let default_chain = super::default_transfer_to;
        let Some(raw) = raw else {
            return Leaders {
                teams: TeamsPolicy::HandOver,
                teams_to: default_chain(),
                direct_reports: ReportsPolicy::Reassign,
                direct_reports_to: default_chain(),
                bulk_refuse: None,
            };
        };
        Leaders {
            teams: raw.teams.unwrap_or(TeamsPolicy::HandOver),
            teams_to: self
                .strategies(raw.teams_to, "leaders.teams_to")
                .unwrap_or_else(default_chain),
            direct_reports: raw.direct_reports.unwrap_or(ReportsPolicy::Reassign),
            direct_reports_to: self
                .strategies(raw.direct_reports_to, "leaders.direct_reports_to")
                .unwrap_or_else(default_chain),
            bulk_refuse: raw
                .bulk_refuse
                .map(|m| self.matcher(m, "leaders.bulk_refuse", roles, statuses)),
        }
    }

    fn records(&mut self, raw: BTreeMap<String, Spanned<RawRecordKind>>) -> Dispositions {
        let mut records = Dispositions::default();
        for (kind, rule) in raw {
            let rule = rule.into_inner();
            let compiled = KindRule {
                states: rule.states,
                transfer_to: self
                    .strategies(rule.transfer_to, &format!("records.{kind}.transfer_to")),
            };
            if kind == "*" {
                records.fallback = Some(compiled);
            } else {
                records.kinds.insert(kind, compiled);
            }
        }
        records
    }
}

fn values_of(v: OneOrMany) -> Vec<String> {
    v.into_vec().into_iter().map(|s| s.trim().to_owned()).collect()
}

fn quoted_list(names: &[String]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile(src: &str) -> Result<Policy, Diagnostics> {
        parse(src, Path::new("p.toml"))
    }

    #[test]
    fn minimal_policy_needs_only_name_and_roles() {
        let p = compile("name = \"x\"\n[roles]\norder = [\"admin\", \"rep\"]\n").unwrap();
        assert!(p.idle.is_none() && p.invites.is_none() && p.lockout.is_none());
        assert_eq!(p.roles.resolve("REP"), Some(RoleIx(1)));
        assert!(p.deactivation.may_receive(Status::Active));
        assert!(p.statuses.is_billed(Status::Invited));
    }

    #[test]
    fn collects_every_cross_reference_problem() {
        let src = r#"name = "x"
[roles]
order = ["admin", "rep"]
aliases = { boss = "chief" }
[roles.permissions]
ghost = ["manage_users"]
[statuses]
billed = ["active", "zombie"]
[leaders]
teams_to = ["manager", "boss"]
"#;
        let err = compile(src).unwrap_err();
        let text = err.to_string();
        assert_eq!(err.0.len(), 4, "{text}");
        assert!(text.contains("`chief`"), "{text}");
        assert!(text.contains("`ghost`"), "{text}");
        assert!(text.contains("`zombie`"), "{text}");
        assert!(text.contains("`boss`"), "{text}");
    }

    #[test]
    fn dispositions_fall_back_from_kind_to_star() {
        let src = r#"name = "x"
[roles]
order = ["rep"]
[records.opportunity]
states = { open = "transfer", closed = "keep" }
[records."*"]
states = { "*" = "cancel" }
"#;
        let p = compile(src).unwrap();
        assert_eq!(
            p.records.disposition("opportunity", "open").0,
            super::super::Disposition::Transfer
        );
        assert_eq!(
            p.records.disposition("opportunity", "lost").0,
            super::super::Disposition::Cancel
        );
        assert_eq!(p.records.disposition("pin", "x").0, super::super::Disposition::Cancel);
    }

    #[test]
    fn formats_name_time_columns_only() {
        let src = "name = \"x\"\n[roles]\norder = [\"rep\"]\n[snapshot.formats]\n\"*\" = \"%d.%m.%Y\"\nlast_login = \"%m/%d/%Y\"\n";
        let text = compile(src).unwrap_err().to_string();
        assert!(text.contains("p.toml:6:14: [snapshot.formats] names `last_login`"), "{text}");
        assert!(text.contains("did you mean `last_login_at`?"), "{text}");
        let ok = "name = \"x\"\n[roles]\norder = [\"rep\"]\n[snapshot.formats]\n\"*\" = \"%d.%m.%Y\"\nlocked_at = \"%m/%d/%Y\"\n";
        let p = compile(ok).unwrap();
        assert_eq!(p.input.formats.for_field("locked_at").unwrap().text, "%m/%d/%Y");
        assert_eq!(p.input.formats.for_field("invited_at").unwrap().text, "%d.%m.%Y");
    }

    #[test]
    fn thresholds_must_grow() {
        let src = "name = \"x\"\n[roles]\norder = [\"rep\"]\n[idle]\nafter = \"30d\"\nsuspend_after = \"10d\"\n";
        assert!(compile(src).unwrap_err().to_string().contains("suspend_after (10d) is shorter"));
    }
}
