//! `cohesion serve` through the binary, over real sockets: hidden information (every route,
//! every role, with and without secrets), refused requests that change nothing, bad input,
//! a kill -9 and a resume, the same session continued at the prompt, and a short load run
//! that checks no event is dropped.

use std::path::Path;
use std::time::{Duration, Instant};

use super::served::{Events, MINI, ROLES, Resp, Served, free_port, replay};

const SEED: &str = "987654321987";

fn start(dir: &Path, extra: &[&str]) -> Served {
    let mut args = vec![
        MINI,
        "--seed",
        SEED,
        "--red",
        "human",
        "--session",
        dir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    Served::start(dir, &args)
}

/// Every GET route of a role and the read-only commands, as `role` (None: no secret).
fn read_routes(role: &str) -> Vec<(String, &'static str, Vec<u8>)> {
    let mut v: Vec<(String, &'static str, Vec<u8>)> = vec![
        ("/".into(), "GET", Vec::new()),
        ("/assets/app.js".into(), "GET", Vec::new()),
        ("/assets/app.css".into(), "GET", Vec::new()),
        (format!("/{role}"), "GET", Vec::new()),
        (format!("/api/{role}/state"), "GET", Vec::new()),
    ];
    for line in [
        "status",
        "levers",
        "policies",
        "outcomes",
        "allies",
        "ally Estonia",
        "help",
        "msel",
        "preview attack Poland",
        "delay 4 to=2",
        "answer 1 -- x",
        "commit",
    ] {
        v.push((
            format!("/api/{role}/command"),
            "POST",
            serde_json::json!({ "line": line }).to_string().into_bytes(),
        ));
    }
    v
}

/// Everything `role` receives from the read-only routes, and the first event of a fresh
/// event stream.
fn snapshot(s: &Served, role: &str, key: Option<&str>) -> Vec<(String, Resp)> {
    let mut out = Vec::new();
    for (path, method, body) in read_routes(role) {
        let r = if method == "GET" {
            s.get(&path, key)
        } else {
            s.post(&path, key, &body)
        };
        out.push((
            format!("{method} {path} {}", String::from_utf8_lossy(&body)),
            r,
        ));
    }
    if let Some(k) = key {
        let mut ev = Events::open(&s.addr, role, k).expect("event stream");
        let first = ev.next(Duration::from_secs(10)).expect("first event");
        out.push((
            "events".into(),
            Resp {
                status: 200,
                headers: vec![format!("id: {:?}", first.id)],
                body: format!("{}\n{}", first.event, first.data).into_bytes(),
            },
        ));
    }
    out
}

fn all_text(s: &Served, role: &str) -> String {
    snapshot(s, role, Some(s.key(role)))
        .iter()
        .map(|(_, r)| r.text())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn before_commit_everything_blue_receives_is_the_same_whatever_red_has_sealed() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("s");
    let s = start(&dir, &[]);
    // Some public and private traffic first.
    s.ok("white", "msg all -- welcome to the exercise");
    s.ok("blue", "blue posture=0.8 -- show resolve");
    let forecast0 = s.ok("blue", "forecast n=40 until=3")["text"].clone();
    let before = s.state("blue")["version"].as_u64().unwrap();
    let mut stream = Events::open(&s.addr, "blue", s.key("blue")).unwrap();
    let first = stream.next(Duration::from_secs(10)).unwrap();
    assert_eq!(first.id, Some(before));

    let blue0 = snapshot(&s, "blue", Some(s.key("blue")));
    let proj0 = snapshot(&s, "projector", Some(s.key("projector")));
    let anon0 = snapshot(&s, "blue", None);
    let r = s.post(
        "/api/red/move",
        Some(s.key("red")),
        br#"{"moves": {"hybrid": "Estonia", "disinformation": true}, "rationale": "PLAN-A-7f3"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    s.ok("red", "forecast n=40 until=3");
    let blue_a = snapshot(&s, "blue", Some(s.key("blue")));
    let proj_a = snapshot(&s, "projector", Some(s.key("projector")));
    s.ok("red", "red attack=Poland intimidation -- PLAN-B-9c1");
    let blue_b = snapshot(&s, "blue", Some(s.key("blue")));
    let proj_b = snapshot(&s, "projector", Some(s.key("projector")));
    let anon_b = snapshot(&s, "blue", None);
    for (a, b) in blue0.iter().zip(&blue_a).chain(blue_a.iter().zip(&blue_b)) {
        assert_eq!(
            a, b,
            "Blue's response to {} changed with Red's sealed move",
            a.0
        );
    }
    assert_eq!(blue0.len(), blue_b.len());
    assert_eq!(proj0, proj_a);
    assert_eq!(proj_a, proj_b);
    assert_eq!(anon0, anon_b);
    // Nothing reached Blue's open stream for Red's moves: its next event is White's message.
    s.ok("white", "msg all -- second message");
    let next = stream.next(Duration::from_secs(10)).unwrap();
    assert_eq!(next.id, Some(before + 1));
    assert!(next.data.contains("second message"));
    assert!(!next.data.contains("PLAN-"));
    // A forecast Blue asks for is the same too (forecasts draw from their own streams).
    assert_eq!(s.ok("blue", "forecast n=40 until=3")["text"], forecast0);
    // The check can fail: Red and White do see the move, and the seed is White's alone.
    assert!(s.state("red").to_string().contains("PLAN-B-9c1"));
    let white = s.state("white").to_string();
    assert!(white.contains("PLAN-B-9c1") && white.contains(SEED));
    for role in ["blue", "red", "projector"] {
        let text = all_text(&s, role);
        assert!(!text.contains(SEED), "{role} sees the session's seed");
        for k in s.keys.values() {
            assert!(!text.contains(k.as_str()), "{role} sees a secret");
        }
    }
    assert!(
        !all_text(&s, "red").contains("show resolve"),
        "Red sees Blue's move"
    );
    // After White adjudicates, Red's move is public.
    s.ok("white", "commit");
    assert!(!s.state("blue").to_string().contains("PLAN-B-9c1"));
    s.ok("white", "accept");
    let blue = s.state("blue").to_string();
    assert!(
        blue.contains("PLAN-B-9c1"),
        "Red's move stays hidden after commit"
    );
    drop(s);
    // Secrets are nowhere in the session's files.
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let text =
            String::from_utf8_lossy(&std::fs::read(e.path()).unwrap_or_default()).to_string();
        assert!(!text.contains("key="), "{}", e.path().display());
    }
}

#[test]
fn requests_without_a_valid_secret_are_refused_and_change_nothing() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("s");
    let s = start(&dir, &[]);
    let log = || std::fs::read(dir.join("log.jsonl")).unwrap();
    let before = log();
    let wrong = "0".repeat(64);
    for role in ROLES {
        let other = ROLES.iter().find(|r| **r != role).unwrap();
        for (path, method, body) in read_routes(role).into_iter().chain([
            (
                format!("/api/{role}/command"),
                "POST",
                br#"{"line": "msg all -- intruder"}"#.to_vec(),
            ),
            (
                format!("/api/{role}/move"),
                "POST",
                br#"{"levers": {"posture": 0.9}}"#.to_vec(),
            ),
            (
                format!("/api/{role}/reissue"),
                "POST",
                br#"{"role": "blue"}"#.to_vec(),
            ),
            (format!("/api/{role}/events"), "GET", Vec::new()),
            (format!("/join/{role}"), "GET", Vec::new()),
        ]) {
            if path == "/" || path.starts_with("/assets/") {
                continue;
            }
            for (key, want) in [
                (None, 401),
                (Some(wrong.as_str()), 403),
                (Some(s.key(other)), 403),
            ] {
                let r = if method == "GET" {
                    s.get(&path, key)
                } else {
                    s.post(&path, key, &body)
                };
                assert_eq!(r.status, want, "{method} {path} with {key:?}: {}", r.text());
            }
        }
    }
    // What a role may not do, even with its own secret.
    for (role, line) in [
        ("blue", "commit"),
        ("blue", "msel"),
        ("blue", "red hybrid=Estonia"),
        ("red", "levers"),
        ("red", "blue posture=0.1"),
        ("red", "inject shock target=Estonia threat=0.2"),
        ("projector", "status"),
        ("blue", "quit"),
    ] {
        let (status, j) = s.command(role, line);
        assert_eq!(status, 403, "{role}: {line}: {j}");
    }
    let r = s.post(
        "/api/blue/reissue",
        Some(s.key("blue")),
        br#"{"role": "blue"}"#,
    );
    assert_eq!(r.status, 403);
    assert_eq!(before, log(), "a refused request changed the log");
    // White revokes Blue's link: the old secret stops working, the new one works.
    let old = s.key("blue").to_string();
    let r = s.post(
        "/api/white/reissue",
        Some(s.key("white")),
        br#"{"role": "blue"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let url = r.json()["url"].as_str().unwrap().to_string();
    let new = url.split("key=").nth(1).unwrap().to_string();
    assert_ne!(old, new);
    assert_eq!(s.get("/api/blue/state", Some(&old)).status, 403);
    assert_eq!(s.get("/api/blue/state", Some(&new)).status, 200);
    // Joining by link sets an HttpOnly cookie and opens the page.
    let r = s.get(&format!("/join/blue?key={new}"), None);
    assert_eq!(r.status, 303);
    assert!(r.header("set-cookie").unwrap().contains("HttpOnly"));
    assert_eq!(r.header("location").as_deref(), Some("/blue"));
}

#[test]
fn bad_requests_get_clear_errors_and_leave_the_session_intact() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("s");
    let s = start(&dir, &[]);
    s.ok("blue", "blue posture=0.6 -- first");
    let log = || std::fs::read(dir.join("log.jsonl")).unwrap();
    let before = log();
    let big = vec![b'x'; 10 * 1024 * 1024];
    let r = s.post("/api/blue/command", Some(s.key("blue")), &big);
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("over the limit")
    );
    let cases: [(&str, &str, &[u8], u16, &str); 6] = [
        (
            "blue",
            "move",
            b"{\"levers\": {\"posture\": 0.9",
            400,
            "not a move",
        ),
        ("blue", "move", b"[1, 2, 3]", 400, "not a move"),
        ("blue", "command", b"not json", 400, "expected JSON"),
        (
            "red",
            "move",
            br#"{"moves": {"hybrid": "Atlantis"}}"#,
            422,
            "no ally `Atlantis`",
        ),
        (
            "blue",
            "move",
            br#"{"levers": {"posture": 7}}"#,
            422,
            "allowed: a number from 0 to 1",
        ),
        (
            "blue",
            "command",
            br#"{"line": "blue postur=0.5"}"#,
            422,
            "did you mean `posture`",
        ),
    ];
    for (role, route, body, want, says) in cases {
        let r = s.post(&format!("/api/{role}/{route}"), Some(s.key(role)), body);
        assert_eq!(
            r.status,
            want,
            "{route} {}: {}",
            String::from_utf8_lossy(body),
            r.text()
        );
        let e = r.json()["error"].as_str().unwrap_or_default().to_string();
        assert!(e.contains(says), "`{e}` should say `{says}`");
    }
    assert_eq!(before, log(), "a refused request changed the log");
    // The server still serves, and the session replays.
    s.ok("white", "msg all -- still here");
    drop(s);
    let (code, out) = replay(&dir);
    assert_eq!(code, 0, "{out}");
}

/// Reads a role's stream until an event satisfies `ok` (reconnecting if the server went away).
fn wait_for(addr: &str, role: &str, key: &str, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(mut ev) = Events::open(addr, role, key) {
            while let Some(e) = ev.next(Duration::from_secs(5)) {
                if ok(&e.data) {
                    return e.data;
                }
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("no event for {role} within 30 s");
}

#[test]
fn after_kill_9_a_resumed_server_takes_the_same_links_and_pages_reconnect() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("s");
    let links = t.path().join("links.txt");
    let bind = format!("127.0.0.1:{}", free_port());
    let extra = ["--links", links.to_str().unwrap(), "--bind", bind.as_str()];
    let mut s = start(&dir, &extra);
    s.ok("blue", "blue posture=0.7 -- before the crash");
    s.ok("red", "red hybrid=Estonia -- before the crash");
    s.ok("white", "msg all -- acknowledged before the crash");
    let blue_key = s.key("blue").to_string();
    let mut stream = Events::open(&s.addr, "blue", &blue_key).unwrap();
    assert!(stream.next(Duration::from_secs(5)).is_some());
    // A command in flight when the server dies: sent, never answered.
    let mut inflight = std::net::TcpStream::connect(&s.addr).unwrap();
    use std::io::Write;
    let body = br#"{"line": "msg all -- in flight"}"#;
    write!(
        inflight,
        "POST /api/white/command HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Length: {}\r\n\r\n",
        s.key("white"),
        body.len()
    )
    .unwrap();
    inflight.write_all(body).unwrap();
    s.kill();
    assert!(
        stream.next(Duration::from_secs(5)).is_none(),
        "the stream ends with the server"
    );
    // Resume: same links (kept in the links file), the pages' streams come back.
    let args = [
        "--resume",
        dir.to_str().unwrap(),
        "--links",
        links.to_str().unwrap(),
        "--bind",
        bind.as_str(),
    ];
    let s2 = Served::start(&dir, &args);
    assert_eq!(s2.key("blue"), blue_key);
    let data = wait_for(&s2.addr, "blue", &blue_key, |d| {
        d.contains("acknowledged before the crash")
    });
    assert!(data.contains("before the crash"));
    let red = s2.state("red").to_string();
    assert!(
        red.contains("hybrid"),
        "Red's sealed move survived the crash"
    );
    s2.ok("white", "commit");
    s2.ok("white", "accept -- after the crash");
    drop(s2);
    let (code, out) = replay(&dir);
    assert_eq!(code, 0, "{out}");
    // Without a links file, a resumed server issues new links and the old ones stop working.
    let s3 = Served::start(&dir, &["--resume", dir.to_str().unwrap()]);
    assert_ne!(s3.key("blue"), blue_key);
    assert_eq!(s3.get("/api/blue/state", Some(&blue_key)).status, 403);
}

#[test]
fn a_session_started_in_the_browser_continues_at_the_prompt_and_replays() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("s");
    let s = start(&dir, &[]);
    s.ok("blue", "blue posture=0.7 -- from the browser");
    s.ok("red", "red none");
    s.ok("blue", "rfi -- what does Red see?");
    s.ok("white", "answer 3 -- the same map as you");
    s.ok("white", "timer start 20");
    s.ok("white", "projector show=state,map,messages colour=threat");
    s.ok("white", "commit");
    s.ok("white", "override channel.Hungary open -- talks");
    s.ok("white", "accept");
    drop(s);
    let out = std::process::Command::new(super::served::BIN)
        .args(["game", "--resume", dir.to_str().unwrap()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin
                .take()
                .unwrap()
                .write_all(b"hold -- at the prompt\nred none\ncommit\naccept\n")?;
            c.wait_with_output()
        })
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Turn 2 adjudicated"), "{text}");
    let (code, rep) = replay(&dir);
    assert_eq!(code, 0, "{rep}");
    let transcript = std::fs::read_to_string(dir.join("transcript.txt")).unwrap();
    assert!(
        transcript.contains("Request for information #3 from Blue to White: what does Red see?")
    );
    assert!(transcript.contains("White answers request for information #3 (to Blue)"));
    // The debrief exports the messages.
    let o = std::process::Command::new(super::served::BIN)
        .args(["debrief", dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success());
    let md = std::fs::read_to_string(dir.join("debrief.md")).unwrap();
    assert!(
        md.contains("what does Red see?") && md.contains("the same map as you"),
        "{md}"
    );
}

use std::io::Write as _;

#[test]
fn under_load_no_projector_misses_an_event() {
    let times = super::served::load_run(MINI, 30, Duration::from_secs(5));
    assert!(times.len() > 10);
}

#[test]
fn every_message_reaches_an_open_projector_stream() {
    // How fast is measured by the benchmark; here only that each one arrives.
    assert_eq!(super::served::event_latency(MINI, 5).len(), 5);
}

#[test]
fn a_page_gets_the_latest_messages_and_every_open_request_however_old() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("s");
    let s = start(&dir, &[]);
    s.ok("blue", "rfi -- OLD-OPEN-REQUEST");
    s.ok("blue", "rfi -- OLD-ANSWERED-REQUEST");
    let answered = s.state("white")["view"]["messages"][1]["seq"]
        .as_u64()
        .unwrap();
    s.ok("white", &format!("answer {answered} -- done"));
    for i in 0..205 {
        s.ok("white", &format!("msg all -- bulletin {i}"));
    }
    let v = s.state("blue");
    let m = v["view"]["messages"].as_array().unwrap();
    let texts: Vec<&str> = m.iter().map(|m| m["text"].as_str().unwrap()).collect();
    // 208 messages Blue may read: the latest 200, and the open request before them.
    assert_eq!(m.len(), 201, "{texts:?}");
    assert_eq!(texts[0], "OLD-OPEN-REQUEST");
    assert_eq!(texts[1], "bulletin 5");
    assert_eq!(texts[200], "bulletin 204");
    assert!(!texts.contains(&"OLD-ANSWERED-REQUEST"));
    assert_eq!(v["view"]["messages_earlier"], 7);
    // Every message is still in the log and the transcript.
    drop(s);
    let transcript = std::fs::read_to_string(dir.join("transcript.txt")).unwrap();
    assert!(transcript.contains("OLD-ANSWERED-REQUEST") && transcript.contains("bulletin 0"));
}

#[test]
fn a_forecast_is_its_cells_until_shared_and_on_the_projector_only_when_white_puts_it_there() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("s");
    let s = start(&dir, &[]);
    let seq = s.ok("red", "forecast n=30 until=3")["seq"]
        .as_u64()
        .unwrap();
    let has = |role: &str| {
        s.state(role)["view"]["forecasts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["seq"].as_u64() == Some(seq))
    };
    assert!(has("red") && has("white"));
    assert!(!has("blue") && !has("projector"));
    // Blue may not share Red's forecast.
    assert_ne!(s.command("blue", &format!("share {seq} with=blue")).0, 200);
    assert!(!has("blue"));
    s.ok("red", &format!("share {seq} with=blue"));
    assert!(has("blue"));
    assert!(
        !has("projector"),
        "shared with Blue is not on the projector"
    );
    s.ok("white", &format!("projector show=state,map,forecast:{seq}"));
    assert!(has("projector"));
}
