//! `cohesion serve`: the wargame in the room. One session, played from browsers — a control
//! page for White, a page for Blue and for a human Red, a read-only projector page — over
//! the same game library, log and replay as the terminal prompt.
//!
//! Shape: the session ([`crate::game::live::Live`]) sits behind one lock; a command from a
//! page is checked against its role ([`commands`]), executed and logged exactly as at the
//! prompt, and then every role's view ([`view`], the only place hidden information is
//! decided) is recomputed. A role whose view changed gets it over its event stream
//! (server-sent events, [`routes`]); a role whose view did not change gets nothing, so what
//! another cell does in secret cannot be seen even in the timing of updates. Pages and their
//! script are compiled into the binary ([`pages`]); nothing is fetched from elsewhere.
//!
//! The server is tokio's multi-threaded runtime with axum's router; commands run on the
//! blocking pool (a forecast takes seconds) so event streams keep flowing meanwhile.

pub mod auth;
pub mod commands;
pub mod map;
pub mod pages;
pub mod routes;
pub mod view;

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use anyhow::{Context, Result};
use tokio::sync::broadcast;

use crate::game::live::Live;
use auth::{Role, Secrets};

/// Updates a role's event stream may hold before it is behind (it then gets the latest view).
pub const CHANNEL: usize = 1024;

/// How `cohesion serve` was asked to start.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub game: crate::game::Options,
    /// Address to listen on (default 127.0.0.1:8080; `0.0.0.0:8080` for a room's LAN).
    pub bind: String,
    /// Keep the join links in this file so a restarted server (`--resume`) takes the same ones
    /// and open pages reconnect; without it every start draws new links.
    pub links: Option<PathBuf>,
}

/// What a role's event stream carries.
#[derive(Debug, Clone)]
pub enum Update {
    /// The role's view, numbered (the numbers of a role's views run 1, 2, 3… without gaps).
    View(u64, Arc<str>),
    /// Secrets changed: streams check theirs.
    Secrets,
    /// The server is stopping: streams end.
    Shutdown,
}

/// The running server's state.
pub struct Server {
    pub live: Mutex<Live>,
    pub secrets: RwLock<Secrets>,
    pub addr: SocketAddr,
    /// Per role: the number and bytes of its last view.
    views: Mutex<Vec<(u64, Arc<str>)>>,
    tx: Vec<broadcast::Sender<Update>>,
}

impl Server {
    pub fn new(live: Live, secrets: Secrets, addr: SocketAddr) -> Server {
        let s = Server {
            live: Mutex::new(live),
            secrets: RwLock::new(secrets),
            addr,
            views: Mutex::new(vec![(0, Arc::from("")); Role::ALL.len()]),
            tx: Role::ALL
                .iter()
                .map(|_| broadcast::channel(CHANNEL).0)
                .collect(),
        };
        {
            let live = s.live.lock().unwrap_or_else(|e| e.into_inner());
            s.publish(&live);
        }
        s
    }

    /// The join link of role `r`.
    pub fn link(&self, r: Role) -> String {
        let key = self
            .secrets
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(r)
            .to_string();
        format!("http://{}/join/{}?key={key}", self.addr, r.name())
    }

    /// Recomputes every role's view and sends those that changed.
    pub fn publish(&self, live: &Live) {
        let links: Vec<(Role, String)> = Role::ALL.iter().map(|r| (*r, self.link(*r))).collect();
        let mut views = self.views.lock().unwrap_or_else(|e| e.into_inner());
        for r in Role::ALL {
            let v = view::view(live, r, if r == Role::White { &links } else { &[] });
            let text = v.to_string();
            let slot = &mut views[r.index()];
            if *slot.1 != *text {
                slot.0 += 1;
                slot.1 = Arc::from(text);
                // No receiver is not an error: nobody is watching.
                let _ = self.tx[r.index()].send(Update::View(slot.0, slot.1.clone()));
            }
        }
    }

    /// Role `r`'s latest view and its number.
    pub fn current(&self, r: Role) -> (u64, Arc<str>) {
        self.views.lock().unwrap_or_else(|e| e.into_inner())[r.index()].clone()
    }

    pub fn subscribe(&self, r: Role) -> broadcast::Receiver<Update> {
        self.tx[r.index()].subscribe()
    }

    /// Tells every stream that secrets changed.
    pub fn secrets_changed(&self) {
        for t in &self.tx {
            let _ = t.send(Update::Secrets);
        }
    }

    /// Ends every event stream (the server is stopping).
    pub fn shutdown(&self) {
        for t in &self.tx {
            let _ = t.send(Update::Shutdown);
        }
    }
}

/// Starts the server on a session and serves until interrupted (Ctrl-C). Prints the join
/// links to `out`.
pub fn run(opts: &Options, out: &mut dyn Write) -> Result<i32> {
    let live = Live::open(&opts.game, out)?;
    let secrets = Secrets::load_or_new(opts.links.as_deref())?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let bind = if opts.bind.is_empty() {
            "127.0.0.1:8080"
        } else {
            &opts.bind
        };
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .with_context(|| format!("cannot listen on {bind}"))?;
        let addr = listener.local_addr()?;
        let dir = live.dir.clone();
        let turn = live.game.turn().min(live.game.world.horizon());
        let server = Arc::new(Server::new(live, secrets, addr));
        writeln!(
            out,
            "Serving session {} (turn {turn}) on http://{addr}",
            dir.display()
        )?;
        if addr.ip().is_unspecified() {
            writeln!(
                out,
                "(listening on every interface: give the cells this machine's LAN address in place of {})",
                addr.ip()
            )?;
        }
        writeln!(
            out,
            "Join links (each carries its role's secret; White can revoke and reissue them):"
        )?;
        for r in Role::ALL {
            writeln!(out, "  {:<10} {}", r.name(), server.link(r))?;
        }
        writeln!(out, "Stop with Ctrl-C; continue later with `cohesion serve --resume {}` (or `cohesion game --resume`).", dir.display())?;
        out.flush()?;
        let app = routes::router(server.clone());
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = tokio::signal::ctrl_c().await;
                server.shutdown();
            })
            .await?;
        writeln!(out, "Server stopped; the session is saved.")?;
        Ok(0)
    })
}
