//! Model against record: the figures of the validation page, from a run's `allies.csv` (and
//! the digest of its `trials.csv`) and the record of 2022–2024.
//!
//! * Spending: per ally, the mean simulated `defence_change_pp` against the recorded 2021 →
//!   2024e change; Spearman's ρ for the model and for naive baselines that need no model
//!   (exposure class alone, the gap to the 2% guideline in 2021, the 2014 → 2021 trend); the
//!   mean change of frontline against rear allies.
//! * Out of sample: the model's parameters that the record informed were chosen on 2022–2023
//!   only, so the 2023 → 2024e increment is held out; the model's increment (its calendar-year
//!   2024 mean minus its 2023 mean) against the record, beside persistence (the 2021 → 2023
//!   change continued for a year).
//! * Channels: each ally's P(channel) and months on a channel against its leader's meetings
//!   with Putin; the label at Madrid; the model's most frequent blockers against the last
//!   ratifiers of Finland's and Sweden's accession; the invasion's threat rise by exposure.

use std::collections::BTreeMap;

use crate::plot::RunData;
use crate::plot::data::Dist;
use crate::stats::rank::{rmse, spearman};

use super::record::Record;

/// Exposure classes, from most to least exposed, and their score for the class baseline.
pub const CLASSES: [(&str, f64); 3] = [("frontline", 3.0), ("flank", 2.0), ("rear", 1.0)];

/// One ally on the page.
#[derive(Debug, Clone, PartialEq)]
pub struct AllyLine {
    pub ally: String,
    pub exposure: String,
    /// Recorded 2021 → 2024e change and the model's mean `defence_change_pp` (with p5, p95).
    pub rec_change: Option<f64>,
    pub sim_change: Option<f64>,
    pub sim_p5: Option<f64>,
    pub sim_p95: Option<f64>,
    /// 2023 → 2024e: recorded, the model's, persistence.
    pub rec_increment: Option<f64>,
    pub sim_increment: Option<f64>,
    pub persistence: Option<f64>,
    pub meetings: u32,
    pub p_channel: Option<f64>,
    pub channel_months: Option<f64>,
    pub blocked: Option<f64>,
    pub last_ratifier: bool,
    pub threat_jump: Option<f64>,
}

/// Spearman's ρ of a predictor against the record, with its name.
#[derive(Debug, Clone, PartialEq)]
pub struct Rho {
    pub name: String,
    pub rho: Option<f64>,
    pub rmse: Option<f64>,
}

/// Everything the page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Validation {
    pub option: String,
    pub allies: Vec<AllyLine>,
    /// Allies with both a recorded and a simulated spending change.
    pub n_spending: usize,
    /// The model first, then the baselines.
    pub spending: Vec<Rho>,
    /// Mean change by exposure class: (class, model, record).
    pub class_means: Vec<(String, Option<f64>, Option<f64>)>,
    /// Out of sample, 2023 → 2024e: the model, then persistence.
    pub increment: Vec<Rho>,
    pub n_increment: usize,
    /// The two allies with most channel months, and those whose leaders met Putin.
    pub top_channels: Vec<String>,
    pub met_putin: Vec<String>,
    pub rho_channels_meetings: Option<f64>,
    /// The two most frequent blockers, and the last ratifiers.
    pub top_blockers: Vec<String>,
    pub last_ratifiers: Vec<String>,
    /// Turn of the label in the record (the Madrid summit), and the share of trials in which the
    /// option's label first changed at that turn.
    pub label_turn: Option<usize>,
    pub p_label_at_turn: Option<f64>,
    /// Mean `threat_jump_max` by exposure class.
    pub threat_jump: Vec<(String, Option<f64>)>,
}

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// The allies ordered by a value, largest first (ties by name), the first `k`.
fn top(lines: &[AllyLine], k: usize, value: impl Fn(&AllyLine) -> Option<f64>) -> Vec<String> {
    let mut v: Vec<(f64, &str)> = lines
        .iter()
        .filter_map(|l| value(l).map(|x| (x, l.ally.as_str())))
        .collect();
    v.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    v.into_iter().take(k).map(|(_, a)| a.to_string()).collect()
}

/// Compares option `option` of the run with the record. `exposure` maps each ally to its
/// class (from the scenario's actor table); `start` is the month index of turn 1.
pub fn compare(
    data: &RunData,
    option: &str,
    exposure: &BTreeMap<String, String>,
    record: &Record,
    start: Option<i64>,
) -> Validation {
    let get = |ally: &str, metric: &str| data.ally(option, ally, metric);
    let mean_of = |ally: &str, metric: &str| get(ally, metric).and_then(|r| r.mean);
    let mut allies = Vec::new();
    for ally in data.ally_names() {
        let rec = record.spending.get(&ally);
        let sim23 = mean_of(&ally, "defence_2023");
        let sim24 = mean_of(&ally, "defence_2024");
        let change = get(&ally, "defence_change_pp");
        allies.push(AllyLine {
            exposure: exposure.get(&ally).cloned().unwrap_or_default(),
            rec_change: rec.map(|s| s.y2024e - s.y2021),
            sim_change: change.and_then(|r| r.mean),
            sim_p5: change.and_then(|r| r.p5),
            sim_p95: change.and_then(|r| r.p95),
            rec_increment: rec.map(|s| s.y2024e - s.y2023),
            sim_increment: sim23.zip(sim24).map(|(a, b)| b - a),
            persistence: rec.map(|s| (s.y2023 - s.y2021) / 2.0),
            meetings: record.meetings.get(&ally).copied().unwrap_or(0),
            p_channel: get(&ally, "channel_ever").and_then(|r| r.prob),
            channel_months: mean_of(&ally, "channel_months"),
            blocked: mean_of(&ally, "blocked_consensus"),
            last_ratifier: record.last_ratifiers.contains(&ally),
            threat_jump: mean_of(&ally, "threat_jump_max"),
            ally,
        });
    }
    // Spending, 2021 → 2024e.
    let both: Vec<&AllyLine> = allies
        .iter()
        .filter(|l| l.rec_change.is_some() && l.sim_change.is_some())
        .collect();
    let rec: Vec<f64> = both.iter().map(|l| l.rec_change.unwrap_or(0.0)).collect();
    let class_score = |l: &AllyLine| {
        CLASSES
            .iter()
            .find(|c| c.0 == l.exposure)
            .map_or(0.0, |c| c.1)
    };
    let pred = |name: &str, f: &dyn Fn(&AllyLine) -> f64| -> Rho {
        let x: Vec<f64> = both.iter().map(|l| f(l)).collect();
        Rho {
            name: name.into(),
            rho: spearman(&x, &rec),
            rmse: None,
        }
    };
    let s21 = |l: &AllyLine| record.spending.get(&l.ally).map_or(0.0, |s| s.y2021);
    let s14 = |l: &AllyLine| record.spending.get(&l.ally).map_or(0.0, |s| s.y2014);
    let mut spending = vec![Rho {
        rmse: rmse(
            &both
                .iter()
                .map(|l| l.sim_change.unwrap_or(0.0))
                .collect::<Vec<_>>(),
            &rec,
        ),
        ..pred("model: mean simulated defence_change_pp", &|l| {
            l.sim_change.unwrap_or(0.0)
        })
    }];
    spending.push(pred(
        "exposure class alone (frontline > flank > rear)",
        &|l| class_score(l),
    ));
    spending.push(pred("gap to the 2% guideline in 2021", &|l| {
        (2.0 - s21(l)).max(0.0)
    }));
    spending.push(pred("trend 2014 → 2021 continued", &|l| s21(l) - s14(l)));
    let class_means = CLASSES
        .iter()
        .map(|(c, _)| {
            let of = |f: &dyn Fn(&AllyLine) -> Option<f64>| {
                mean(
                    &both
                        .iter()
                        .filter(|l| l.exposure == *c)
                        .filter_map(|l| f(l))
                        .collect::<Vec<_>>(),
                )
            };
            (c.to_string(), of(&|l| l.sim_change), of(&|l| l.rec_change))
        })
        .collect();
    // Out of sample: 2023 → 2024e.
    let inc: Vec<&AllyLine> = allies
        .iter()
        .filter(|l| l.rec_increment.is_some() && l.sim_increment.is_some())
        .collect();
    let rec_inc: Vec<f64> = inc.iter().map(|l| l.rec_increment.unwrap_or(0.0)).collect();
    let series = |f: &dyn Fn(&AllyLine) -> Option<f64>| -> Vec<f64> {
        inc.iter().map(|l| f(l).unwrap_or(0.0)).collect()
    };
    let model_inc = series(&|l| l.sim_increment);
    let pers_inc = series(&|l| l.persistence);
    let increment = vec![
        Rho {
            name: "model: calendar 2024 mean − calendar 2023 mean".into(),
            rho: spearman(&model_inc, &rec_inc),
            rmse: rmse(&model_inc, &rec_inc),
        },
        Rho {
            name: "persistence: the 2021 → 2023 change continued for a year".into(),
            rho: spearman(&pers_inc, &rec_inc),
            rmse: rmse(&pers_inc, &rec_inc),
        },
    ];
    // Channels, blockers.
    let top_channels = top(&allies, 2, |l| l.channel_months);
    let mut met_putin: Vec<String> = allies
        .iter()
        .filter(|l| l.meetings > 0)
        .map(|l| l.ally.clone())
        .collect();
    met_putin.sort();
    let ch: Vec<&AllyLine> = allies
        .iter()
        .filter(|l| l.channel_months.is_some())
        .collect();
    let rho_channels_meetings = spearman(
        &ch.iter()
            .map(|l| l.channel_months.unwrap_or(0.0))
            .collect::<Vec<_>>(),
        &ch.iter().map(|l| l.meetings as f64).collect::<Vec<_>>(),
    );
    let top_blockers = top(&allies, 2, |l| l.blocked);
    let mut last_ratifiers = record.last_ratifiers.clone();
    last_ratifiers.sort();
    // The label: the turn of the record's label date, and the share of trials whose label
    // first changed then.
    let label_turn = record
        .label_date
        .as_deref()
        .and_then(crate::kernel::time::month_index)
        .zip(start)
        .map(|(m, s)| (m - s + 1).max(0) as usize);
    let p_label_at_turn = label_turn.and_then(|t| {
        let digest = data.digest.as_ref()?;
        let p = data.option_index(option)?;
        let rows = *digest.rows.get(p)?;
        match digest.dist("label_first_change_turn", p)? {
            Dist::Exact { counts } if rows > 0 => {
                Some(counts.get(&(t as i64)).copied().unwrap_or(0) as f64 / rows as f64)
            }
            _ => None,
        }
    });
    let threat_jump = CLASSES
        .iter()
        .map(|(c, _)| {
            (
                c.to_string(),
                mean(
                    &allies
                        .iter()
                        .filter(|l| l.exposure == *c)
                        .filter_map(|l| l.threat_jump)
                        .collect::<Vec<_>>(),
                ),
            )
        })
        .collect();
    Validation {
        option: option.to_string(),
        n_spending: both.len(),
        n_increment: inc.len(),
        allies,
        spending,
        class_means,
        increment,
        top_channels,
        met_putin,
        rho_channels_meetings,
        top_blockers,
        last_ratifiers,
        label_turn,
        p_label_at_turn,
        threat_jump,
    }
}

impl Validation {
    /// Mean change of the frontline over the rear: (model, record).
    pub fn front_rear(&self) -> (Option<f64>, Option<f64>) {
        let get = |c: &str| self.class_means.iter().find(|x| x.0 == c);
        match (get("frontline"), get("rear")) {
            (Some(f), Some(r)) => (
                f.1.zip(r.1).map(|(a, b)| a / b),
                f.2.zip(r.2).map(|(a, b)| a / b),
            ),
            _ => (None, None),
        }
    }

    /// The checks a hindcast must pass: (what, holds).
    pub fn checks(&self) -> Vec<(String, bool)> {
        let rho = |i: usize| self.spending.get(i).and_then(|r| r.rho);
        let model = rho(0);
        let class = rho(1);
        let (fr, _) = self.front_rear();
        let jump = |c: &str| self.threat_jump.iter().find(|x| x.0 == c).and_then(|x| x.1);
        let mut top = self.top_channels.clone();
        top.sort();
        vec![
            (
                "Spearman ρ of simulated against recorded spending change is at least 0.7".into(),
                model.is_some_and(|r| r >= 0.7),
            ),
            (
                "the model's ρ beats exposure class alone".into(),
                model.zip(class).is_some_and(|(m, c)| m > c),
            ),
            (
                "frontline allies' mean simulated change is at least twice the rear allies'".into(),
                fr.is_some_and(|r| r >= 2.0),
            ),
            (
                "the two allies with most months on a channel are those whose leaders met Putin"
                    .into(),
                !self.met_putin.is_empty() && top == self.met_putin,
            ),
            (
                "the sharpest rise of threat is larger on the frontline than in the rear".into(),
                jump("frontline")
                    .zip(jump("rear"))
                    .is_some_and(|(f, r)| f > r),
            ),
        ]
    }
}
