//! `trials.csv`: one row per (trial, option), written block by block as blocks complete.
//!
//! Columns: `trial`, `option`, the uncertain parameters drawn for the trial (the same in
//! every option's row: common random numbers), then every outcome except per-actor details
//! (real-valued `metric.<actor>` families, summarised in `summary.csv` and `allies.csv`).

use std::io::Write;

use crate::model::ParamSpec;
use crate::scenario::Scenario;
use crate::stats::Layout;

use crate::kernel::fmt::push_f64;

/// The header row.
pub fn header(sc: &Scenario, layout: &Layout) -> Vec<u8> {
    let mut cols: Vec<String> = vec!["trial".into(), "option".into()];
    cols.extend(sc.uncertainties.iter().map(|u| u.name.clone()));
    cols.extend(
        layout
            .outcomes
            .iter()
            .filter(|o| !o.detail)
            .map(|o| o.name.clone()),
    );
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&cols).ok();
    w.into_inner().unwrap_or_default()
}

/// Appends a drawn parameter as a user writes it (a choice as its word).
fn push_param(buf: &mut Vec<u8>, spec: &ParamSpec, x: f64) {
    match spec.kind {
        crate::model::ParamKind::Choice(_) | crate::model::ParamKind::Bool => {
            buf.extend_from_slice(spec.display(x).as_bytes())
        }
        _ => push_f64(buf, x),
    }
}

/// The rows of trial `k` (one per option), from its draws and its values (`layout.stride()`);
/// option names are plain words, so no quoting is needed.
pub fn rows(
    sc: &Scenario,
    layout: &Layout,
    k: u64,
    draws: &[f64],
    vals: &[f64],
    buf: &mut Vec<u8>,
) {
    let (o_n, pp) = (layout.outcomes.len(), layout.per_policy());
    for (p, name) in layout.policies.iter().enumerate() {
        write!(buf, "{k},{name}").ok();
        for (u, &x) in sc.uncertainties.iter().zip(draws) {
            buf.push(b',');
            push_param(buf, &sc.model.params[u.param], x);
        }
        for (&x, o) in vals[p * pp..p * pp + o_n].iter().zip(&layout.outcomes) {
            if !o.detail {
                buf.push(b',');
                push_f64(buf, x);
            }
        }
        buf.push(b'\n');
    }
}
