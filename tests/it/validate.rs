//! Bad input: one test per rejection rule of `cohesion validate`. Each asserts that the
//! command fails, and that the message names the file, the key path, the line and column
//! where the parser knows them, and what is allowed.

use crate::util;

use util::{BUILTINS, assert_no_panic, cohesion, loc, scenario_dir, stderr, stdout, write_files};

/// A complete scenario of its own (no `extends`), for exact key paths and positions.
const STANDALONE: &str = r#"[scenario]
name = "standalone"
turns = 10

[model]
kind = "hegselmann-krause"
agents = 50

[[policy]]
name = "a"
baseline = true
"#;

/// Writes `files` beside copies of the built-ins, runs `cohesion validate` on the first one
/// and returns its stderr, after checking that it failed cleanly and named the file.
fn rejected(files: &[(&str, &str)]) -> String {
    let dir = scenario_dir();
    write_files(dir.path(), files);
    let target = dir.path().join(files[0].0);
    let o = cohesion()
        .arg("validate")
        .arg(&target)
        .output()
        .expect("cannot start cohesion");
    assert_no_panic(&o);
    let err = stderr(&o);
    assert!(
        !o.status.success(),
        "{} should be rejected; stdout: {}",
        files[0].0,
        stdout(&o)
    );
    assert!(
        err.contains(&target.display().to_string()),
        "the message does not name {}:\n{err}",
        target.display()
    );
    err
}

/// Asserts that `err` contains every needle.
fn has(err: &str, needles: &[&str]) {
    for n in needles {
        assert!(err.contains(n), "expected {n:?} in:\n{err}");
    }
}

/// Asserts that a problem is reported at `file:line:column` (column: any).
fn at_line(err: &str, file: &str, line: usize) {
    let pat = format!("{file}:{line}:");
    let ok = err.match_indices(&pat).any(|(i, _)| {
        err[i + pat.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    });
    assert!(
        ok,
        "expected a problem at {file}:{line}:<column> in:\n{err}"
    );
}

/// The number of problems the report announces.
fn count(err: &str) -> usize {
    let i = err
        .find(" problem")
        .unwrap_or_else(|| panic!("no problem count in:\n{err}"));
    let start = err[..i].rfind(' ').map(|j| j + 1).unwrap_or(0);
    err[start..i].parse().unwrap()
}

#[test]
fn unknown_top_level_key_is_rejected() {
    let text = "extends = \"hk-0.25.toml\"\ncolour = \"red\"\n";
    let err = rejected(&[("bad.toml", text)]);
    has(
        &err,
        &[
            "colour: unknown key `colour`",
            "allowed here: scenario, run, model, outcomes",
        ],
    );
    at_line(&err, "bad.toml", 2);
    assert_eq!(count(&err), 1);
}

#[test]
fn unknown_key_in_scenario_section_is_rejected() {
    let text = "extends = \"hk-0.25.toml\"\n\n[scenario]\nhorizon = 5\n";
    let err = rejected(&[("bad.toml", text)]);
    has(
        &err,
        &[
            "scenario.horizon: unknown key `horizon`",
            "allowed here: name, description, turn_length, turns",
        ],
    );
    at_line(&err, "bad.toml", 4);
}

#[test]
fn unknown_key_in_policy_is_rejected() {
    let text = format!("{STANDALONE}colour = \"red\"\n");
    let err = rejected(&[("bad.toml", &text)]);
    has(
        &err,
        &[
            "policy[0].colour: unknown key `colour`",
            "allowed here: name, description, baseline, levers",
        ],
    );
    at_line(&err, "bad.toml", 12);
}

#[test]
fn unknown_keys_in_run_uncertainty_inject_and_actors_are_rejected() {
    let text = r#"extends = "hk-0.25.toml"

[run]
blocks = 3

[[uncertainty]]
param = "epsilon"
dist = "uniform"
min = 0.1
max = 0.3
shape = 2

[[inject]]
turn = 3
kind = "shift"
amount = 0.1
colour = "red"
"#;
    let err = rejected(&[("bad.toml", text)]);
    has(
        &err,
        &[
            "run.blocks: unknown key `blocks`; allowed here: trials, block_size, seed",
            "uncertainty[0].shape: unknown key `shape`; allowed here: param, dist, description, min, max",
            "inject[0].colour: unknown key `colour`; allowed here: turn, kind, name, date, description, amount",
        ],
    );
    assert_eq!(count(&err), 3);

    let ktab =
        "extends = \"ktab.toml\"\n\n[actors]\nfile = \"data/soe-pol-comp.csv\"\nsep = \";\"\n";
    let err = rejected(&[("bad.toml", ktab)]);
    has(&err, &["actors.sep", "unknown key", "allowed: file"]);
    at_line(&err, "bad.toml", 5);
}

#[test]
fn wrong_types_are_rejected() {
    let text = r#"extends = "hk-0.25.toml"

[scenario]
turns = "many"

[model]
epsilon = "wide"

[[policy]]
name = "reference"
baseline = "yes"

[[policy]]
name = "other"
levers = { agents = 1.5 }
"#;
    let err = rejected(&[("bad.toml", text)]);
    let f = "bad.toml";
    has(
        &err,
        &[
            &format!(
                "{f}:{}: scenario.turns: expected a whole number from 1 to 10000, found string",
                loc(text, "turns =", "\"many\"")
            ),
            &format!(
                "{f}:{}: model.epsilon: expected a number from 0 to 1, found string",
                loc(text, "epsilon =", "\"wide\"")
            ),
            &format!(
                "{f}:{}: policy[0].baseline: expected true or false, found string",
                loc(text, "baseline =", "\"yes\"")
            ),
            "policy[1].levers.agents: expected a whole number from 2 to 100000, found float",
        ],
    );
}

#[test]
fn probability_outside_unit_interval_is_rejected() {
    let text = r#"extends = "hk-0.25.toml"

[model]
epsilon = -0.1

[outcomes]
major_share = 1.5
"#;
    let err = rejected(&[("bad.toml", text)]);
    has(
        &err,
        &[
            &format!(
                "bad.toml:{}: outcomes.major_share: 1.5 is out of range; allowed: a number from 0 to 1",
                loc(text, "major_share", "1.5")
            ),
            &format!(
                "bad.toml:{}: model.epsilon: -0.1 is out of range; allowed: a number from 0 to 1",
                loc(text, "epsilon", "-0.1")
            ),
        ],
    );
    assert_eq!(count(&err), 2);
}

#[test]
fn negative_counts_are_rejected() {
    let text = r#"extends = "hk-0.25.toml"

[scenario]
turns = -1

[run]
trials = -5

[model]
agents = -3
"#;
    let err = rejected(&[("bad.toml", text)]);
    has(
        &err,
        &[
            &format!(
                "bad.toml:{}: scenario.turns: -1 is out of range; allowed: a whole number from 1 to 10000",
                loc(text, "turns", "-1")
            ),
            &format!(
                "bad.toml:{}: run.trials: -5 is out of range; allowed: a whole number from 1",
                loc(text, "trials", "-5")
            ),
            &format!(
                "bad.toml:{}: model.agents: -3 is out of range; allowed: a whole number from 2 to 100000",
                loc(text, "agents", "-3")
            ),
        ],
    );
}

#[test]
fn inject_turn_beyond_the_horizon_is_rejected() {
    let text = r#"extends = "hk-0.25.toml"

[[inject]]
turn = 101
kind = "shift"
amount = 0.1
"#;
    let err = rejected(&[("bad.toml", text)]);
    has(
        &err,
        &[&format!(
            "bad.toml:{}: inject[0].turn: turn 101 is outside the horizon; allowed: 1 to 100",
            loc(text, "turn =", "101")
        )],
    );
    // The horizon is the merged one: a child that shortens it makes the parent's inject late.
    let parent =
        "extends = \"hk-0.25.toml\"\n\n[[inject]]\nturn = 50\nkind = \"shift\"\namount = 0.1\n";
    let child = "extends = \"parent.toml\"\n\n[scenario]\nturns = 20\n";
    let err = rejected(&[("child.toml", child), ("parent.toml", parent)]);
    has(
        &err,
        &["inject[0].turn: turn 50 is outside the horizon; allowed: 1 to 20"],
    );
    at_line(&err, "parent.toml", 4);
}

#[test]
fn inject_kind_and_fields_are_checked_against_the_model() {
    let text = r#"extends = "hk-0.25.toml"

[[inject]]
turn = 3
kind = "boom"

[[inject]]
turn = 4
kind = "shift"
amount = 3
"#;
    let err = rejected(&[("bad.toml", text)]);
    has(
        &err,
        &[
            "inject[0].kind: model `hegselmann-krause` has no inject kind `boom`; allowed: shift",
            "inject[1].amount: `3` is not allowed; allowed: a number from -1 to 1",
        ],
    );
    at_line(&err, "bad.toml", 5);
    at_line(&err, "bad.toml", 10);
}

#[test]
fn lever_the_model_does_not_declare_is_rejected() {
    let text = format!(
        "{STANDALONE}\n[[policy]]\nname = \"b\"\n\n[[policy]]\nname = \"c\"\nlevers = {{ dialogue = 2 }}\n"
    );
    let err = rejected(&[("bad.toml", &text)]);
    has(
        &err,
        &[
            &format!(
                "bad.toml:{}: policy[2].levers.dialogue: model `hegselmann-krause` declares no parameter `dialogue`",
                loc(&text, "dialogue", "2 }")
            ),
            "allowed levers: agents, epsilon, tolerance",
        ],
    );
    assert_eq!(count(&err), 1);
}

#[test]
fn parameter_the_model_does_not_declare_is_rejected() {
    let text = r#"extends = "hk-0.25.toml"

[model]
mu = 0.3

[outcomes]
epsilon = 0.2

[[uncertainty]]
param = "trust"
dist = "uniform"
min = 0
max = 1
"#;
    let err = rejected(&[("bad.toml", text)]);
    has(
        &err,
        &[
            "model.mu: model `hegselmann-krause` declares no parameter `mu` in [model]; allowed: agents, epsilon, tolerance",
            "outcomes.epsilon: `epsilon` belongs in `[model]`, not `[outcomes]`",
            "uncertainty[0].param: model `hegselmann-krause` declares no parameter `trust`; allowed: agents, epsilon",
        ],
    );
    at_line(&err, "bad.toml", 4);
    at_line(&err, "bad.toml", 7);
    at_line(&err, "bad.toml", 10);
    assert_eq!(count(&err), 3);
}

#[test]
fn unknown_model_and_distribution_are_rejected() {
    let text = "[scenario]\nname = \"x\"\nturns = 5\n\n[model]\nkind = \"hk\"\n";
    let err = rejected(&[("bad.toml", text)]);
    has(
        &err,
        &[
            "model.kind: unknown model `hk`; allowed: alliance, deffuant, hegselmann-krause, bargaining",
        ],
    );
    let text =
        "extends = \"hk-0.25.toml\"\n\n[[uncertainty]]\nparam = \"epsilon\"\ndist = \"gauss\"\n";
    let err = rejected(&[("bad.toml", text)]);
    has(
        &err,
        &[
            "uncertainty[0].dist: unknown distribution `gauss`; allowed: uniform, triangular, truncnormal, beta, choice",
        ],
    );
}

#[test]
fn distribution_with_reversed_bounds_is_rejected() {
    for (dist, extra) in [
        ("uniform", ""),
        ("triangular", "mode = 0.2\n"),
        ("truncnormal", "mean = 0.2\nsd = 0.1\n"),
        ("beta", "alpha = 2\nbeta = 2\n"),
    ] {
        let text = format!(
            "extends = \"hk-0.25.toml\"\n\n[[uncertainty]]\nparam = \"epsilon\"\ndist = \"{dist}\"\n{extra}min = 0.4\nmax = 0.1\n"
        );
        let err = rejected(&[("bad.toml", &text)]);
        has(
            &err,
            &[
                &format!(
                    "bad.toml:{}: uncertainty[0].max: bounds are reversed",
                    loc(&text, "max =", "0.1")
                ),
                "min = 0.4, max = 0.1",
                "allowed: min < max",
            ],
        );
    }
}

#[test]
fn triangular_mode_outside_its_bounds_is_rejected() {
    let text = "extends = \"hk-0.25.toml\"\n\n[[uncertainty]]\nparam = \"epsilon\"\ndist = \"triangular\"\nmin = 0.1\nmode = 0.5\nmax = 0.3\n";
    let err = rejected(&[("bad.toml", text)]);
    has(
        &err,
        &[
            &format!(
                "bad.toml:{}: uncertainty[0].mode: 0.5 is outside [min, max] = [0.1, 0.3]",
                loc(text, "mode =", "0.5")
            ),
            "allowed: min <= mode <= max",
        ],
    );
}

#[test]
fn distribution_reaching_outside_the_parameter_range_is_rejected() {
    let text = "extends = \"hk-0.25.toml\"\n\n[[uncertainty]]\nparam = \"epsilon\"\ndist = \"uniform\"\nmin = 0.5\nmax = 1.5\n";
    let err = rejected(&[("bad.toml", text)]);
    has(
        &err,
        &[
            "uncertainty[0].dist: draws from [0.5, 1.5] fall outside the range of `epsilon`",
            "allowed: a number from 0 to 1",
        ],
    );
}

#[test]
fn duplicate_policy_names_are_rejected() {
    let text =
        format!("{STANDALONE}\n[[policy]]\nname = \"b\"\n\n[[policy]]\nname = \"a\" # again\n");
    let err = rejected(&[("bad.toml", &text)]);
    has(
        &err,
        &[&format!(
            "bad.toml:{}: policy[2].name: duplicate policy option `a`; names must be unique",
            loc(&text, "# again", "\"a\"")
        )],
    );
}

#[test]
fn duplicate_policy_names_in_a_file_that_extends_are_rejected() {
    // Regression: a child's `[[policy]]` entries merge into the parent's by name, and two
    // entries of the child with the same new name were silently merged into one.
    let text = r#"extends = "hk-0.25.toml"

[[policy]]
name = "talk"
levers = { epsilon = 0.3 }

[[policy]]
name = "talk"
levers = { epsilon = 0.1 }
"#;
    let err = rejected(&[("bad.toml", text)]);
    has(
        &err,
        &["duplicate policy option `talk`; names must be unique"],
    );
    at_line(&err, "bad.toml", 8);

    // Overriding the parent's option of the same name is not a duplicate.
    let ok = "extends = \"hk-0.25.toml\"\n\n[[policy]]\nname = \"reference\"\ndescription = \"renamed\"\n";
    let dir = scenario_dir();
    write_files(dir.path(), &[("ok.toml", ok)]);
    let o = cohesion()
        .arg("validate")
        .arg(dir.path().join("ok.toml"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("1 options"), "{}", stdout(&o));
}

#[test]
fn duplicate_uncertain_parameter_in_a_file_that_extends_is_rejected() {
    let text = r#"extends = "hk-0.25.toml"

[[uncertainty]]
param = "epsilon"
dist = "uniform"
min = 0.1
max = 0.3

[[uncertainty]]
param = "epsilon"
dist = "uniform"
min = 0.2
max = 0.4
"#;
    let err = rejected(&[("bad.toml", text)]);
    has(
        &err,
        &["uncertainty[1].param: `epsilon` is already uncertain; one distribution per parameter"],
    );
}

#[test]
fn missing_baseline_is_rejected() {
    let text = STANDALONE.replace("baseline = true\n", "") + "\n[[policy]]\nname = \"b\"\n";
    let err = rejected(&[("bad.toml", &text)]);
    has(
        &err,
        &["policy: no baseline option: mark exactly one `[[policy]]` with `baseline = true`"],
    );
    at_line(&err, "bad.toml", 9);

    // A child that unmarks the parent's baseline.
    let text = "extends = \"hk-0.25.toml\"\n\n[[policy]]\nname = \"reference\"\nbaseline = false\n";
    let err = rejected(&[("bad.toml", text)]);
    has(&err, &["no baseline option"]);
}

#[test]
fn more_than_one_baseline_is_rejected() {
    let text = format!("{STANDALONE}\n[[policy]]\nname = \"b\"\nbaseline = true # again\n");
    let err = rejected(&[("bad.toml", &text)]);
    has(
        &err,
        &[
            &format!(
                "bad.toml:{}: policy[1].baseline: more than one baseline (a, b)",
                loc(&text, "# again", "true")
            ),
            "allowed: exactly one option with `baseline = true`",
        ],
    );
}

#[test]
fn missing_actor_csv_is_rejected() {
    let text = "extends = \"ktab.toml\"\n\n[actors]\nfile = \"data/nothere.csv\"\n";
    let err = rejected(&[("bad.toml", text)]);
    has(
        &err,
        &[
            &format!(
                "bad.toml:{}: actors.file: cannot read",
                loc(text, "file =", "\"data")
            ),
            "nothere.csv",
            "expected a CSV file with a header row and a `name` column",
        ],
    );
}

const CSV_HEADER: &str = "name,capability,position_1,salience_1,position_2,salience_2\n";

#[test]
fn actor_csv_with_a_bad_number_is_rejected() {
    let csv = format!("{CSV_HEADER}A,10,30,40,50,60\nB,abc,30,40,50,60\n");
    let text = "extends = \"ktab.toml\"\n\n[actors]\nfile = \"data/bad.csv\"\n";
    let err = rejected(&[("bad.toml", text), ("data/bad.csv", &csv)]);
    has(
        &err,
        &[
            "bad.csv:3: row 2, column capability: `abc` is not a number; allowed: a number from 0 to",
        ],
    );
    // Regression: the same cell was reported twice (also as "a value is required").
    assert_eq!(count(&err), 1, "{err}");

    let csv = format!("{CSV_HEADER}A,10,30,40,50,60\nB,20,30,400,50,60\n");
    let err = rejected(&[("bad.toml", text), ("data/bad.csv", &csv)]);
    has(
        &err,
        &[
            "bad.csv:3: row 2, column salience_1: 400 is out of range; allowed: a number from 0 to 100",
        ],
    );
    assert_eq!(count(&err), 1, "{err}");
}

#[test]
fn actor_csv_with_a_wrong_column_count_is_rejected() {
    let csv = format!("{CSV_HEADER}A,10,30,40,50,60\nB,20,30,40,50\nC,20,30,40,50,60\n");
    let text = "extends = \"ktab.toml\"\n\n[actors]\nfile = \"data/short.csv\"\n";
    let err = rejected(&[("bad.toml", text), ("data/short.csv", &csv)]);
    has(&err, &["short.csv:3", "row 2", "5 fields", "allowed: 6"]);
    assert_eq!(count(&err), 1, "{err}");
}

#[test]
fn actor_csv_with_duplicate_names_or_unknown_columns_is_rejected() {
    let csv = "name,capability,position_1,salience_1,position_2,salience_2,colour\n\
               A,10,30,40,50,60,red\nA,20,30,40,50,60,blue\nB,20,30,40,50,60,green\n";
    let text = "extends = \"ktab.toml\"\n\n[actors]\nfile = \"data/dup.csv\"\n";
    let err = rejected(&[("bad.toml", text), ("data/dup.csv", csv)]);
    has(
        &err,
        &[
            "dup.csv:3: row 2, column name: duplicate actor name `A`; actor names must be unique",
            "unknown actor field `colour`; allowed: name, capability, position_1",
        ],
    );
    // The unknown column is one problem, not one per row.
    assert_eq!(count(&err), 2, "{err}");
}

#[test]
fn extends_cycle_is_rejected() {
    let a = "extends = \"b.toml\"\n";
    let b = "# b extends a, which extends b\nextends = \"a.toml\"\n\n[model]\nepsilon = 0.1\n";
    let err = rejected(&[("a.toml", a), ("b.toml", b)]);
    has(&err, &["extends", "cycle", "a.toml → ", "b.toml → "]);
    // Reported where the cycle closes: b.toml's `extends`, with line and column.
    at_line(&err, "b.toml", 2);

    let own = "extends = \"self.toml\"\n";
    let err = rejected(&[("self.toml", own)]);
    has(&err, &["cycle"]);
    at_line(&err, "self.toml", 1);
}

#[test]
fn all_problems_of_a_file_are_listed() {
    let text = r#"extends = "hk-0.25.toml"
colour = 1

[model]
epsilon = 2.0

[[policy]]
name = "x"
levers = { dialogue = 1 }
"#;
    let err = rejected(&[("bad.toml", text)]);
    assert_eq!(count(&err), 3, "{err}");
    assert!(err.contains("3 problems found"), "{err}");
    let problems: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("  ") && l.contains("bad.toml:"))
        .collect();
    assert_eq!(problems.len(), 3, "{err}");
    at_line(&err, "bad.toml", 2);
    at_line(&err, "bad.toml", 5);
    at_line(&err, "bad.toml", 9);
}

#[test]
fn validate_stops_at_the_first_bad_file() {
    let dir = scenario_dir();
    write_files(
        dir.path(),
        &[
            ("good.toml", "extends = \"hk-0.25.toml\"\n"),
            (
                "bad1.toml",
                "extends = \"hk-0.25.toml\"\n[model]\nepsilon = 2.0\n",
            ),
            (
                "bad2.toml",
                "extends = \"hk-0.25.toml\"\n[model]\nagents = 0\n",
            ),
        ],
    );
    let o = cohesion()
        .current_dir(dir.path())
        .args(["validate", "good.toml", "bad1.toml", "bad2.toml"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert_no_panic(&o);
    assert!(stdout(&o).contains("good.toml: ok"), "{}", stdout(&o));
    has(&stderr(&o), &["bad1.toml", "model.epsilon"]);
    assert!(
        !stderr(&o).contains("bad2.toml") && !stdout(&o).contains("bad2.toml"),
        "validate went on past the first bad file:\n{}",
        stderr(&o)
    );
}

#[test]
fn valid_builtins_and_their_editable_copies_pass() {
    let o = cohesion().arg("validate").args(BUILTINS).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).matches(": ok (").count(), BUILTINS.len());

    let dir = scenario_dir();
    for f in ["ktab.toml", "hk-0.25.toml"] {
        let o = cohesion()
            .arg("validate")
            .arg(dir.path().join(f))
            .output()
            .unwrap();
        assert!(o.status.success(), "{f}: {}", stderr(&o));
    }
}

#[test]
fn a_problem_inherited_through_extends_is_reported_in_the_file_that_has_it() {
    let parent = "extends = \"hk-0.25.toml\"\n\n[model]\nepsilon = 2.0\n";
    let child = "extends = \"parent.toml\"\n\n[model]\nagents = 100\n";
    let err = rejected(&[("child.toml", child), ("parent.toml", parent)]);
    has(&err, &["model.epsilon: 2 is out of range"]);
    at_line(&err, "parent.toml", 4);
}

#[test]
fn run_rejects_an_invalid_scenario_before_any_trial() {
    let dir = scenario_dir();
    write_files(
        dir.path(),
        &[(
            "bad.toml",
            "extends = \"hk-0.25.toml\"\n[model]\nepsilon = 2.0\n",
        )],
    );
    let out = dir.path().join("out");
    let o = cohesion()
        .arg("run")
        .arg(dir.path().join("bad.toml"))
        .arg("--out")
        .arg(&out)
        .args(["--trials", "5", "--seed", "1"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert_no_panic(&o);
    has(&stderr(&o), &["bad.toml", "model.epsilon", "allowed"]);
    assert!(!out.exists());
    assert!(
        !util::all_files(dir.path())
            .iter()
            .any(|p| p.to_string_lossy().contains(".partial")),
        "a trial directory was created"
    );
}

#[test]
fn missing_parent_of_extends_is_rejected() {
    let text = "# a variant\nextends = \"nothere.toml\"\n";
    let err = rejected(&[("bad.toml", text)]);
    has(
        &err,
        &[
            &format!(
                "bad.toml:{}: extends: cannot read",
                loc(text, "extends", "\"")
            ),
            "nothere.toml",
            "allowed: the path of a scenario file",
        ],
    );
}

#[test]
fn problem_in_an_entry_of_a_variant_is_reported_at_that_files_own_index_and_line() {
    // The merged scenario has the parent's entries first; messages use the indices and
    // lines of the file that has the entry.
    let parent = r#"extends = "hk-0.25.toml"

[[policy]]
name = "p1"

[[uncertainty]]
param = "tolerance"
dist = "uniform"
min = 0.0
max = 0.01

[[inject]]
turn = 2
kind = "shift"
amount = 0.1
"#;
    let child = r#"extends = "parent.toml"

[[policy]]
name = "c1"
levers = { dialogue = 1 }

[[uncertainty]]
param = "epsilon"
dist = "uniform"
min = 0.3
max = 0.2

[[inject]]
turn = 3
kind = "shift"
amount = 5
"#;
    let err = rejected(&[("child.toml", child), ("parent.toml", parent)]);
    has(
        &err,
        &[
            &format!(
                "child.toml:{}: policy[0].levers.dialogue",
                loc(child, "dialogue", "1 }")
            ),
            &format!(
                "child.toml:{}: uncertainty[0].max: bounds are reversed",
                loc(child, "max =", "0.2")
            ),
            &format!(
                "child.toml:{}: inject[0].amount: `5` is not allowed",
                loc(child, "amount", "5")
            ),
        ],
    );
    assert_eq!(count(&err), 3, "{err}");
}
