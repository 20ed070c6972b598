//! Helpers for the tests of `cohesion serve`: start the binary on a free local port and read
//! its join links; talk HTTP/1.1 and server-sent events over plain sockets, so a test sees the
//! exact bytes a browser would get.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_cohesion");
pub const MINI: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/game/mini.toml");
pub const ROLES: [&str; 4] = ["white", "blue", "red", "projector"];

/// A running `cohesion serve`.
pub struct Served {
    pub child: Child,
    pub addr: String,
    /// Role → its secret.
    pub keys: BTreeMap<String, String>,
    /// Role → its join link.
    pub links: BTreeMap<String, String>,
}

impl Served {
    /// Starts `cohesion serve ARGS` (with `--bind 127.0.0.1:0` unless ARGS bind) for session
    /// directory `dir`, and waits for its links.
    pub fn start(_dir: &Path, args: &[&str]) -> Served {
        let mut cmd = Command::new(BIN);
        cmd.arg("serve").args(args);
        if !args.contains(&"--bind") {
            cmd.args(["--bind", "127.0.0.1:0"]);
        }
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn cohesion serve");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut addr = String::new();
        let mut keys = BTreeMap::new();
        let mut links = BTreeMap::new();
        let mut seen = String::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        while keys.len() < 4 {
            let mut line = String::new();
            if out.read_line(&mut line).unwrap_or(0) == 0 || Instant::now() > deadline {
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    e.read_to_string(&mut err).ok();
                }
                panic!("cohesion serve did not start:\n{seen}\n{err}");
            }
            seen.push_str(&line);
            if let Some(rest) = line.split("on http://").nth(1) {
                addr = rest.trim().to_string();
            }
            let w: Vec<&str> = line.split_whitespace().collect();
            if w.len() == 2 && ROLES.contains(&w[0]) && w[1].starts_with("http://") {
                let key = w[1].split("key=").nth(1).unwrap().to_string();
                keys.insert(w[0].to_string(), key);
                links.insert(w[0].to_string(), w[1].to_string());
            }
        }
        // Keep draining its output so it never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = String::new();
            let _ = out.read_to_string(&mut sink);
        });
        Served {
            child,
            addr,
            keys,
            links,
        }
    }

    pub fn key(&self, role: &str) -> &str {
        &self.keys[role]
    }

    /// `GET path` with role `key` as a bearer secret (None: no secret).
    pub fn get(&self, path: &str, key: Option<&str>) -> Resp {
        request(&self.addr, "GET", path, key, b"")
    }

    pub fn post(&self, path: &str, key: Option<&str>, body: &[u8]) -> Resp {
        request(&self.addr, "POST", path, key, body)
    }

    /// A command on `role`'s page; returns the JSON answer and its status.
    pub fn command(&self, role: &str, line: &str) -> (u16, serde_json::Value) {
        let body = serde_json::json!({ "line": line }).to_string();
        let r = self.post(
            &format!("/api/{role}/command"),
            Some(self.key(role)),
            body.as_bytes(),
        );
        (r.status, r.json())
    }

    /// A command that must succeed.
    pub fn ok(&self, role: &str, line: &str) -> serde_json::Value {
        let (status, j) = self.command(role, line);
        assert_eq!(status, 200, "{role}: `{line}` → {j}");
        j
    }

    /// `role`'s current view.
    pub fn state(&self, role: &str) -> serde_json::Value {
        let r = self.get(&format!("/api/{role}/state"), Some(self.key(role)));
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()
    }

    /// Kills the server at once (SIGKILL).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.kill();
    }
}

/// An HTTP response.
#[derive(Debug, Clone, PartialEq)]
pub struct Resp {
    pub status: u16,
    /// Header lines, without `Date` (the one header that depends on the clock).
    pub headers: Vec<String>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn header(&self, name: &str) -> Option<String> {
        let n = format!("{}:", name.to_lowercase());
        self.headers
            .iter()
            .find(|h| h.to_lowercase().starts_with(&n))
            .map(|h| h[n.len()..].trim().to_string())
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(i) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let n = usize::from_str_radix(std::str::from_utf8(&b[..i]).unwrap_or("0").trim(), 16)
            .unwrap_or(0);
        if n == 0 || b.len() < i + 2 + n {
            return out;
        }
        out.extend_from_slice(&b[i + 2..i + 2 + n]);
        b = &b[(i + 4 + n).min(b.len())..];
    }
}

/// One HTTP/1.1 request (the connection closes after it).
pub fn request(addr: &str, method: &str, path: &str, key: Option<&str>, body: &[u8]) -> Resp {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !body.is_empty() {
        head.push_str("Content-Type: application/json\r\n");
    }
    if let Some(k) = key {
        head.push_str(&format!("Authorization: Bearer {k}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    // The server may answer (413) before reading a large body: a write error is then expected.
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    parse(&raw)
}

fn parse(raw: &[u8]) -> Resp {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP response: {}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..end]).to_string();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers: Vec<String> = lines
        .filter(|l| !l.to_lowercase().starts_with("date:"))
        .map(str::to_string)
        .collect();
    let chunked = headers
        .iter()
        .any(|h| h.to_lowercase() == "transfer-encoding: chunked");
    let body = &raw[end + 4..];
    Resp {
        status,
        body: if chunked {
            dechunk(body)
        } else {
            body.to_vec()
        },
        headers,
    }
}

/// A server-sent event.
#[derive(Debug, Clone, PartialEq)]
pub struct Ev {
    pub id: Option<u64>,
    pub event: String,
    pub data: String,
}

/// A role's event stream, read as a browser's EventSource would.
pub struct Events {
    r: BufReader<TcpStream>,
}

impl Events {
    pub fn open(addr: &str, role: &str, key: &str) -> std::io::Result<Events> {
        let mut s = TcpStream::connect(addr)?;
        s.set_read_timeout(Some(Duration::from_secs(30)))?;
        write!(
            s,
            "GET /api/{role}/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\nAuthorization: Bearer {key}\r\n\r\n"
        )?;
        let mut r = BufReader::new(s);
        let mut status = String::new();
        r.read_line(&mut status)?;
        if !status.contains(" 200 ") {
            return Err(std::io::Error::other(format!("event stream: {status}")));
        }
        loop {
            let mut l = String::new();
            if r.read_line(&mut l)? == 0 || l == "\r\n" {
                break;
            }
        }
        Ok(Events { r })
    }

    /// The next event (keep-alive comments skipped); None when the stream ends or times out.
    pub fn next(&mut self, timeout: Duration) -> Option<Ev> {
        self.r.get_ref().set_read_timeout(Some(timeout)).ok()?;
        let mut ev = Ev {
            id: None,
            event: String::new(),
            data: String::new(),
        };
        let mut any = false;
        loop {
            // The body is chunked: a chunk-size line, then lines of the event.
            let mut l = String::new();
            if self.r.read_line(&mut l).ok()? == 0 {
                return None;
            }
            let l = l.trim_end_matches(['\r', '\n']);
            if l.is_empty() {
                if any && !ev.event.is_empty() {
                    return Some(ev);
                }
                continue;
            }
            if let Some(x) = l.strip_prefix("id:") {
                ev.id = x.trim().parse().ok();
                any = true;
            } else if let Some(x) = l.strip_prefix("event:") {
                ev.event = x.trim().to_string();
                any = true;
            } else if let Some(x) = l.strip_prefix("data:") {
                ev.data.push_str(x.strip_prefix(' ').unwrap_or(x));
                any = true;
            }
            // Chunk sizes (hex), `retry:` and `:` comments are not part of an event we check.
        }
    }
}

/// A port free now on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `cohesion replay DIR`'s exit code and output.
pub fn replay(dir: &Path) -> (i32, String) {
    let o = Command::new(BIN)
        .args(["replay", dir.to_str().unwrap()])
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

/// The load run on `scenario` (a file or a built-in name): `projectors` projector streams and
/// three cells sending commands for `duration`; returns the command round trips (ms) and
/// checks that every projector stream got every projector view, in order, without a gap.
pub fn load_run(scenario: &str, projectors: usize, duration: Duration) -> Vec<f64> {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("s");
    let s = Served::start(
        &dir,
        &[
            scenario,
            "--seed",
            "5",
            "--red",
            "human",
            "--session",
            dir.to_str().unwrap(),
        ],
    );
    let key = s.key("projector").to_string();
    let first = s.state("projector")["version"].as_u64().unwrap();
    let readers: Vec<_> = (0..projectors)
        .map(|_| {
            let mut ev = Events::open(&s.addr, "projector", &key).unwrap();
            std::thread::spawn(move || {
                let mut ids = Vec::new();
                while let Some(e) = ev.next(Duration::from_secs(10)) {
                    ids.push(e.id.unwrap_or(0));
                    if e.data.contains("load-run-finished") {
                        break;
                    }
                }
                ids
            })
        })
        .collect();
    let end = Instant::now() + duration;
    let cells: Vec<_> = ["white", "blue", "red"]
        .into_iter()
        .map(|role| {
            let addr = s.addr.clone();
            let k = s.key(role).to_string();
            std::thread::spawn(move || {
                let mut times = Vec::new();
                let mut i = 0u64;
                while Instant::now() < end {
                    let line = match (role, i % 3) {
                        ("white", 0) => format!("msg all -- update {i}"),
                        ("white", 1) => "status".to_string(),
                        ("white", _) => format!("msg blue -- note {i}"),
                        ("blue", 0) => format!("blue posture=0.{} -- load", i % 10),
                        ("blue", 1) => "allies".to_string(),
                        ("blue", _) => format!("msg white -- question {i}"),
                        (_, 0) => "red disinformation -- load".to_string(),
                        (_, 1) => "ally Estonia".to_string(),
                        _ => format!("msg all -- red says {i}"),
                    };
                    let body = serde_json::json!({ "line": line }).to_string();
                    let t0 = Instant::now();
                    let r = request(
                        &addr,
                        "POST",
                        &format!("/api/{role}/command"),
                        Some(&k),
                        body.as_bytes(),
                    );
                    times.push(t0.elapsed().as_secs_f64() * 1000.0);
                    assert_eq!(r.status, 200, "{role}: {line}: {}", r.text());
                    i += 1;
                }
                times
            })
        })
        .collect();
    let mut times: Vec<f64> = cells.into_iter().flat_map(|c| c.join().unwrap()).collect();
    s.ok("white", "msg all -- load-run-finished");
    let last = s.state("projector")["version"].as_u64().unwrap();
    for r in readers {
        let ids = r.join().unwrap();
        let want: Vec<u64> = (first..=last).collect();
        assert_eq!(ids, want, "a projector stream missed or reordered views");
    }
    times.sort_by(f64::total_cmp);
    times
}

/// Milliseconds from sending a command to its event reaching an open projector stream, for
/// `n` commands on an otherwise idle server, on `scenario`.
pub fn event_latency(scenario: &str, n: usize) -> Vec<f64> {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("s");
    let s = Served::start(
        &dir,
        &[scenario, "--seed", "5", "--session", dir.to_str().unwrap()],
    );
    let mut ev = Events::open(&s.addr, "projector", s.key("projector")).unwrap();
    ev.next(Duration::from_secs(10)).unwrap();
    let mut out = Vec::new();
    for i in 0..n {
        let token = format!("ping-{i}-end");
        let t0 = Instant::now();
        s.ok("white", &format!("msg all -- {token}"));
        loop {
            let e = ev.next(Duration::from_secs(10)).expect("the event");
            if e.data.contains(&token) {
                break;
            }
        }
        out.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    out.sort_by(f64::total_cmp);
    out
}
