//! Ctrl-C (SIGINT), SIGTERM and SIGHUP stop a long command (`run`, `rerun`, `explore`)
//! cleanly: the first signal raises a flag that the engine reads between blocks, the command
//! removes its partial output (keeping a run's checkpoint for `--resume`) and exits with the
//! shell's code for that signal, 128 + its number (130, 143, 129). A second signal ends the
//! process at once with the same code, for a user who will not wait; what it leaves (a hidden
//! `.NAME.partial-PID` folder) is reported and removed by the next run into that folder.
//!
//! The handler only stores to atomics (async-signal-safe); a signal that the parent set to be
//! ignored (`nohup` ignores SIGHUP) stays ignored. Other systems get Ctrl-C through `ctrlc`.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

static CANCEL: AtomicBool = AtomicBool::new(false);
static SIGNAL: AtomicI32 = AtomicI32::new(0);

#[cfg(unix)]
extern "C" fn on_signal(sig: libc::c_int) {
    if SIGNAL
        .compare_exchange(0, sig, Ordering::SeqCst, Ordering::SeqCst)
        .is_err()
    {
        // SAFETY: _exit is async-signal-safe.
        unsafe { libc::_exit(128 + sig) };
    }
    CANCEL.store(true, Ordering::SeqCst);
}

/// Installs the handlers (once is enough; again is harmless) and returns the flag they raise.
pub fn cancel_on_signals() -> &'static AtomicBool {
    #[cfg(unix)]
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: plain sigaction calls with zero-initialised structures; the handler only
        // touches atomics and _exit.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(sig, std::ptr::null(), &mut old) == 0
                && old.sa_sigaction == libc::SIG_IGN
            {
                continue;
            }
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            sa.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrlc::set_handler(|| {
            if SIGNAL
                .compare_exchange(0, 2, Ordering::SeqCst, Ordering::SeqCst)
                .is_err()
            {
                std::process::exit(130);
            }
            CANCEL.store(true, Ordering::SeqCst);
        });
    }
    &CANCEL
}

/// The exit code for the signal received: 128 + its number (130 for Ctrl-C).
pub fn exit_code() -> i32 {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => 130,
        s => 128 + s,
    }
}

/// The signal's name, for the message.
pub fn name() -> &'static str {
    match SIGNAL.load(Ordering::SeqCst) {
        1 => "SIGHUP",
        15 => "SIGTERM",
        _ => "Ctrl-C",
    }
}
