//! What an outcome or metric is called on a chart, its unit, and which direction is better.
//!
//! Known names (the alliance model's, the reference models', the bargaining model's) get
//! words an analyst would put in front of a room; any other name is shown as it is.

/// How a quantity is shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    /// Short name, e.g. "Final cohesion".
    pub name: String,
    /// Axis text with its unit, e.g. "Final cohesion (index, 0–1)".
    pub axis: String,
    /// Whether higher is better (`Some(true)`), worse (`Some(false)`), or neither.
    pub higher_is_better: Option<bool>,
    /// Shown as a percentage (a probability or a share).
    pub percent: bool,
}

fn label(name: &str, axis: &str, better: Option<bool>, percent: bool) -> Label {
    Label {
        name: name.to_string(),
        axis: axis.to_string(),
        higher_is_better: better,
        percent,
    }
}

/// The label of a per-trial outcome.
pub fn outcome(name: &str) -> Label {
    match name {
        "cohesion_final" => label(
            "Final cohesion",
            "Final cohesion (index, 0–1)",
            Some(true),
            false,
        ),
        "cohesion_mean" => label(
            "Mean cohesion",
            "Mean cohesion (index, 0–1)",
            Some(true),
            false,
        ),
        "cohesion_min" => label(
            "Lowest cohesion",
            "Lowest cohesion (index, 0–1)",
            Some(true),
            false,
        ),
        "credibility_final" => label(
            "Final deterrence credibility",
            "Final deterrence credibility (index, 0–1)",
            Some(true),
            false,
        ),
        "unilateral_peak" => label(
            "Peak allies on unilateral channels",
            "Peak number of allies on unilateral channels (allies)",
            Some(false),
            false,
        ),
        "crises" => label("Crises", "Number of crises (count)", Some(false), false),
        "fracture" => label(
            "Alliance fractures",
            "Probability the alliance fractures (%)",
            Some(false),
            true,
        ),
        "ally_attacked" => label(
            "An ally is attacked",
            "Probability an ally is attacked (%)",
            Some(false),
            true,
        ),
        "fracture_turn" => label("Fracture", "Turn of fracture", None, false),
        "attack_turn" => label("Attack on an ally", "Turn of the attack", None, false),
        "label_change_turn" => label(
            "Change of NATO's label",
            "Turn the label changed",
            None,
            false,
        ),
        "label_first_change_turn" => label(
            "First change of NATO's label",
            "Turn the label first changed",
            None,
            false,
        ),
        "dispersion_mean" => label(
            "Dispersion of stances",
            "Mean dispersion of stances (2 × weighted sd, 0–1)",
            Some(false),
            false,
        ),
        "unilateral_share_mean" => label(
            "Weight on unilateral channels",
            "Mean weighted share on unilateral channels (%)",
            Some(false),
            true,
        ),
        "channels_while_cut" => label(
            "Channels while NATO's are cut",
            "Ally-months on a unilateral channel while NATO's channels are cut (ally-months)",
            Some(false),
            false,
        ),
        "deadlock_turns" => label(
            "Months without consensus",
            "Months without consensus (months)",
            Some(false),
            false,
        ),
        "longest_deadlock" => label(
            "Longest deadlock",
            "Longest run of months without consensus (months)",
            Some(false),
            false,
        ),
        "blocking_allies" => label(
            "Blocking allies",
            "Allies that blocked consensus at least once (allies)",
            Some(false),
            false,
        ),
        "outreach" => label(
            "Moscow's bilateral offers",
            "Offers of bilateral dialogue by Moscow (count)",
            None,
            false,
        ),
        "clusters" => label(
            "Opinion clusters",
            "Number of opinion clusters (clusters)",
            None,
            false,
        ),
        "major_clusters" => label(
            "Major opinion clusters",
            "Number of major opinion clusters (clusters)",
            None,
            false,
        ),
        "consensus" => label(
            "Consensus reached",
            "Probability of consensus (%)",
            None,
            true,
        ),
        "converged" => label("Converged", "Probability of convergence (%)", None, true),
        "steps" => label(
            "Steps to converge",
            "Steps to converge (steps)",
            None,
            false,
        ),
        "spread" => label(
            "Final spread of opinions",
            "Final spread of opinions (max − min, 0–1)",
            None,
            false,
        ),
        "mean_opinion" => label(
            "Final mean opinion",
            "Final mean opinion (opinion scale 0–1)",
            None,
            false,
        ),
        _ => {
            if let Some(ally) = name.strip_prefix("channel_ever.") {
                return label(
                    &format!("{ally} opens a unilateral channel"),
                    "Probability (%)",
                    Some(false),
                    true,
                );
            }
            if let Some(actor) = name.strip_prefix("win_prob.") {
                return label(
                    &format!("{actor} prevails"),
                    &format!("Probability that {actor}'s position prevails (%)"),
                    None,
                    true,
                );
            }
            if let Some(actor) = name.strip_prefix("risk.") {
                return label(
                    &format!("Risk attitude of {actor}"),
                    &format!("Risk attitude of {actor} (−1 averse … +1 acceptant)"),
                    None,
                    false,
                );
            }
            if let Some(dim) = name.strip_prefix("expected.") {
                return label(
                    &format!("Expected outcome, dimension {dim}"),
                    &format!("Expected position on dimension {dim} (its scale)"),
                    None,
                    false,
                );
            }
            label(name, name, None, false)
        }
    }
}

/// The label of a time-series metric.
pub fn metric(name: &str) -> Label {
    match name {
        "cohesion" => label("Cohesion", "Cohesion (index, 0–1)", Some(true), false),
        "credibility" => label(
            "Deterrence credibility",
            "Deterrence credibility (index, 0–1)",
            Some(true),
            false,
        ),
        "unilateral_share" => label(
            "Share on unilateral channels",
            "Weighted share of allies on unilateral channels (%)",
            Some(false),
            true,
        ),
        "threat_mean" => label(
            "Mean threat perception",
            "Mean threat perception (0–1)",
            None,
            false,
        ),
        "spread" => label(
            "Spread of opinions",
            "Spread of opinions (max − min, 0–1)",
            None,
            false,
        ),
        "sd" => label(
            "Dispersion of opinions",
            "Standard deviation of opinions (opinion scale)",
            None,
            false,
        ),
        _ => label(name, name, None, false),
    }
}

/// Whether a family is one of a metric's per-calendar-year families (`defence_2023`,
/// `channel_2024`): one per year of the run, so at long horizons hundreds; they are rows of
/// `allies.csv`, not charts of their own.
pub fn per_year(prefix: &str) -> bool {
    prefix
        .rsplit_once('_')
        .is_some_and(|(_, y)| y.len() == 4 && y.parse::<u32>().is_ok())
}

/// What a family of outcomes `prefix.member` is, for chart titles and axes.
pub fn family(prefix: &str) -> (String, String, bool) {
    match prefix {
        "channel_ever" => (
            "Probability that each ally opens a unilateral channel".into(),
            "Probability (%)".into(),
            true,
        ),
        "channel_months" => (
            "Months each ally runs a unilateral channel".into(),
            "Months on a unilateral channel (months)".into(),
            false,
        ),
        "blocked_consensus" => (
            "Months each ally blocks consensus".into(),
            "Months in which it blocked consensus (months)".into(),
            false,
        ),
        "defence_change_pp" => (
            "Change of each ally's defence spending".into(),
            "Defence spending, last turn minus first (pp of GDP)".into(),
            false,
        ),
        "stance_final" => (
            "Each ally's final stance".into(),
            "Final stance (0 engagement, 1 confrontation)".into(),
            false,
        ),
        "threat_final" => (
            "Each ally's final threat perception".into(),
            "Final threat perception (0–1)".into(),
            false,
        ),
        "threat_jump_max" => (
            "Each ally's sharpest rise of threat perception".into(),
            "Largest one-month rise of threat perception (0–1)".into(),
            false,
        ),
        "win_prob" => (
            "Probability that each actor's position prevails".into(),
            "Probability that its position prevails (%)".into(),
            true,
        ),
        "risk" => (
            "Risk attitude of each actor".into(),
            "Risk attitude (−1 averse … +1 acceptant)".into(),
            false,
        ),
        "expected" => (
            "Expected outcome on each dimension".into(),
            "Expected position (scale of the dimension)".into(),
            false,
        ),
        _ => match (
            prefix.strip_prefix("defence_"),
            prefix.strip_prefix("channel_"),
        ) {
            (Some(year), _) if year.parse::<u32>().is_ok() => (
                format!("Each ally's defence spending in {year}"),
                format!("Mean defence spending over the months of {year} (% of GDP)"),
                false,
            ),
            (_, Some(year)) if year.parse::<u32>().is_ok() => (
                format!("Probability that each ally runs a unilateral channel in {year}"),
                "Probability (%)".into(),
                true,
            ),
            _ => (format!("{prefix}: by member"), prefix.to_string(), false),
        },
    }
}

/// A name safe for a file name: letters, digits, `-`, `_`, `.`; anything else becomes `_`.
pub fn slug(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `s` with its first letter in lower case, unless it starts an acronym ("NATO's" stays).
pub fn lower_first(s: &str) -> String {
    let mut it = s.chars();
    match (it.next(), it.next()) {
        (Some(_), Some(b)) if b.is_uppercase() => s.to_string(),
        (Some(a), _) => a.to_lowercase().collect::<String>() + &s[a.len_utf8()..],
        _ => String::new(),
    }
}
