//! HTML: one self-contained report for people, to open in a browser or attach to an
//! e-mail. Styles, the script that filters and sorts the tables, and the chart (inline SVG)
//! are all in the file; a Content-Security-Policy forbids every request, so the report
//! works offline and cannot fetch anything even if a value slipped through.
//!
//! Every value from the plan is escaped for HTML text (`&`, `<`, `>`, `"`, `'`) and, like
//! the table format, shows hidden characters ([`crate::diag::is_hidden`]) as visible
//! escapes. The script reads only the DOM, never data embedded in it.

use super::{table::verdict, Names};
use crate::plan::Plan;
use std::fmt::Write;

/// Escapes text for HTML element content and quoted attribute values.
pub fn html_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if crate::diag::is_hidden(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;max-width:78em;padding:0 1em;color:#1b1f24}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}
.meta{color:#57606a}.verdict{font-weight:600;margin:1em 0}
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #d0d7de;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f6f8fa}table.data th{cursor:pointer;user-select:none}th[aria-sort=ascending]::after{content:' \\25B2'}th[aria-sort=descending]::after{content:' \\25BC'}
td.n,th.n{text-align:right}input.filter{width:100%;max-width:28em;padding:.3em;margin:.3em 0}
.count{color:#57606a;font-size:.9em}svg text{font-size:12px;fill:#1b1f24}
";

/// Filter: a row stays when its text holds every word typed. Sort: a click on a header
/// sorts by that column (numbers as numbers), a second click reverses.
const SCRIPT: &str = "
(function(){
function rows(t){return Array.prototype.slice.call(t.tBodies[0].rows);}
function shown(t){var n=rows(t).filter(function(r){return !r.hidden;}).length;
 var c=document.getElementById(t.id+'-count');if(c){c.textContent=n+' of '+rows(t).length+' shown';}}
document.querySelectorAll('input.filter').forEach(function(input){
 var t=document.getElementById(input.getAttribute('data-table'));
 input.addEventListener('input',function(){
  var words=input.value.toLowerCase().split(/\\s+/).filter(Boolean);
  rows(t).forEach(function(r){var text=r.textContent.toLowerCase();
   r.hidden=!words.every(function(w){return text.indexOf(w)>=0;});});
  shown(t);});
});
document.querySelectorAll('table.data').forEach(function(t){
 var heads=t.tHead.rows[0].cells;
 Array.prototype.forEach.call(heads,function(th,i){
  th.addEventListener('click',function(){
   var up=th.getAttribute('aria-sort')!=='ascending';
   Array.prototype.forEach.call(heads,function(h){h.removeAttribute('aria-sort');});
   th.setAttribute('aria-sort',up?'ascending':'descending');
   var num=th.classList.contains('n');
   var sorted=rows(t).map(function(r,k){return [r,r.cells[i].textContent,k];});
   sorted.sort(function(a,b){var x=a[1],y=b[1],c;
    if(num){c=parseFloat(x)-parseFloat(y);}else{c=x.localeCompare(y,undefined,{numeric:true});}
    if(c===0){c=a[2]-b[2];}return up?c:-c;});
   var body=t.tBodies[0];sorted.forEach(function(s){body.appendChild(s[0]);});
  });
 });
 shown(t);
});
})();
";

/// Renders the plan as one HTML document.
pub fn render(plan: &Plan, names: Names<'_>, title: &str) -> String {
    let h = html_safe;
    let mut out = String::with_capacity(4096 + plan.actions.len() * 160);
    let heading = format!("{}: {}", h(title), h(&plan.policy.name));
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{heading}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{heading}</h1>\n"
    );
    let _ = writeln!(
        out,
        "<p class=\"meta\">As of {}; {}. Policy sha256 <code>{}</code>, snapshot sha256 <code>{}</code>.</p>",
        h(&plan.as_of),
        super::snapshot_counts(plan),
        h(plan.policy.sha256.get(..12).unwrap_or("")),
        h(plan.snapshot.sha256.get(..12).unwrap_or(""))
    );
    let _ = writeln!(out, "<p class=\"verdict\" id=\"verdict\">{}</p>", h(&verdict(plan)));

    let _ = writeln!(out, "<h2 id=\"summary\">Statuses</h2>");
    out.push_str(&chart(plan));
    let _ = writeln!(
        out,
        "<table id=\"statuses\"><thead><tr><th>status</th><th class=\"n\">before</th><th class=\"n\">after</th></tr></thead><tbody>"
    );
    for (status, before) in &plan.summary.statuses_before {
        let after = plan.summary.statuses_after.get(status).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{before}</td><td class=\"n\">{after}</td></tr>",
            h(status)
        );
    }
    let s = &plan.summary.seats;
    let total = s.total.map_or("unknown".to_owned(), |t| t.to_string());
    let _ = writeln!(
        out,
        "<tr><td><strong>billed seats</strong> (of {total})</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr></tbody></table>",
        s.billed_before, s.billed_after
    );

    let mut table = |id: &str, heading: &str, columns: &[(&str, bool)], rows: Vec<Vec<String>>| {
        let _ = writeln!(
            out,
            "<h2 id=\"{id}-heading\">{heading} <span class=\"count\">({})</span></h2>",
            rows.len()
        );
        if rows.is_empty() {
            let _ = writeln!(out, "<p>None.</p>");
            return;
        }
        let _ = writeln!(
            out,
            "<input class=\"filter\" type=\"search\" data-table=\"{id}\" placeholder=\"Filter {heading}\" aria-label=\"Filter {heading}\"> <span class=\"count\" id=\"{id}-count\"></span>"
        );
        let _ = write!(out, "<table class=\"data\" id=\"{id}\"><thead><tr>");
        for (name, numeric) in columns {
            let class = if *numeric { " class=\"n\"" } else { "" };
            let _ = write!(out, "<th{class}>{name}</th>");
        }
        let _ = writeln!(out, "</tr></thead><tbody>");
        for row in rows {
            out.push_str("<tr>");
            for ((_, numeric), cell) in columns.iter().zip(row) {
                let class = if *numeric { " class=\"n\"" } else { "" };
                let _ = write!(out, "<td{class}>{cell}</td>");
            }
            out.push_str("</tr>\n");
        }
        let _ = writeln!(out, "</tbody></table>");
    };

    let actions = plan
        .actions
        .iter()
        .map(|a| {
            let mut detail = String::new();
            if let Some(r) = &a.record {
                detail = h(r);
            }
            if let Some(t) = &a.team {
                detail = h(&names.team(t));
            }
            if let Some(d) = &a.date {
                detail = format!("by {}", h(d));
            }
            vec![
                h(&names.user(&a.user)),
                a.action.as_str().to_owned(),
                detail,
                h(&a.rule),
                h(&a.reason),
            ]
        })
        .collect();
    table(
        "actions",
        "Actions",
        &[
            ("user", false),
            ("action", false),
            ("detail", false),
            ("rule", false),
            ("reason", false),
        ],
        actions,
    );
    let reassignments = plan
        .reassignments
        .iter()
        .map(|r| {
            vec![
                h(&names.what(r)),
                h(&names.user(&r.from)),
                h(&names.user(&r.to)),
                h(&names.via(r)),
                r.count.to_string(),
            ]
        })
        .collect();
    table(
        "reassignments",
        "Reassignments",
        &[("what", false), ("from", false), ("to", false), ("via", false), ("count", true)],
        reassignments,
    );
    let blocked = plan
        .blocked
        .iter()
        .map(|b| vec![h(&names.user(&b.user)), h(&b.code), h(&b.reason)])
        .collect();
    table("blocked", "Refused", &[("user", false), ("code", false), ("reason", false)], blocked);
    let findings = plan
        .findings
        .iter()
        .map(|f| {
            let users: Vec<String> = f.users.iter().map(|u| h(&names.user(u))).collect();
            vec![h(&f.code), users.join(", "), h(&f.reason)]
        })
        .collect();
    table(
        "findings",
        "Findings",
        &[("code", false), ("users", false), ("reason", false)],
        findings,
    );
    let offboarded = plan
        .summary
        .offboarded
        .iter()
        .map(|(u, c)| {
            vec![
                h(&names.user(u)),
                c.records.to_string(),
                c.transferred.to_string(),
                c.kept.to_string(),
                c.cancelled.to_string(),
            ]
        })
        .collect();
    table(
        "offboarded",
        "Offboarded",
        &[
            ("user", false),
            ("records", true),
            ("transferred", true),
            ("kept", true),
            ("cancelled", true),
        ],
        offboarded,
    );
    let _ = writeln!(out, "<script>{SCRIPT}</script>\n</body>\n</html>");
    out
}

/// Status counts before and after the plan as a grouped bar chart.
fn chart(plan: &Plan) -> String {
    let statuses: Vec<(&String, usize, usize)> = plan
        .summary
        .statuses_before
        .iter()
        .map(|(s, b)| (s, *b, plan.summary.statuses_after.get(s).copied().unwrap_or(0)))
        .collect();
    let max = statuses.iter().map(|(_, b, a)| (*b).max(*a)).max().unwrap_or(0).max(1);
    let (group, bar, height, top, left) = (96usize, 30usize, 160usize, 36usize, 10usize);
    let width = left * 2 + group * statuses.len().max(1);
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        "<svg id=\"chart\" role=\"img\" aria-label=\"users by status, before and after the plan\" width=\"{width}\" height=\"{}\" viewBox=\"0 0 {width} {}\">",
        height + top + 40,
        height + top + 40
    );
    let _ = writeln!(
        svg,
        "<rect x=\"{left}\" y=\"2\" width=\"10\" height=\"10\" fill=\"#8c959f\"/><text x=\"{}\" y=\"11\">before</text><rect x=\"{}\" y=\"2\" width=\"10\" height=\"10\" fill=\"#0969da\"/><text x=\"{}\" y=\"11\">after</text>",
        left + 14,
        left + 70,
        left + 84
    );
    for (i, (status, before, after)) in statuses.iter().enumerate() {
        let x = left + i * group + 12;
        for (j, (n, colour)) in [(*before, "#8c959f"), (*after, "#0969da")].into_iter().enumerate()
        {
            let hgt = n * height / max;
            let y = top + height - hgt;
            let bx = x + j * (bar + 4);
            let _ = writeln!(
                svg,
                "<rect class=\"bar\" x=\"{bx}\" y=\"{y}\" width=\"{bar}\" height=\"{hgt}\" fill=\"{colour}\"><title>{} {}: {n}</title></rect><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{n}</text>",
                html_safe(status),
                if j == 0 { "before" } else { "after" },
                bx + bar / 2,
                y.saturating_sub(3),
            );
        }
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            x + bar + 2,
            top + height + 16,
            html_safe(status)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_cannot_open_elements_or_attributes() {
        assert_eq!(
            html_safe("<script>\"x\" & 'y'"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;"
        );
        assert_eq!(html_safe("a\u{202E}b\u{1b}"), "a\\u{202e}b\\u{1b}");
    }

    #[test]
    fn the_report_is_self_contained() {
        let text = render(&Plan::empty(), Names::none(), "roster plan");
        assert!(text.starts_with("<!DOCTYPE html>"));
        assert!(text.contains("default-src 'none'"));
        for external in ["src=\"http", "href=\"http", "@import", "url("] {
            assert!(!text.contains(external), "{external}");
        }
    }
}
