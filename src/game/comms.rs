//! The cells' traffic besides their moves: messages (a cell and White, or anyone to all
//! players), requests for information and White's answers, forecasts shared by the cell that
//! asked for them, White's turn timer, and what White puts on the projector.
//!
//! Each is a logged entry like a move — the browser and the prompt write the same record, the
//! transcript and the debrief carry it, replay checks it — and none changes the world. Who may
//! see what (a message, a forecast) is decided from these records by whoever shows them: the
//! prompt shows everything to its one operator, the server filters per cell.

use serde::Serialize;

use super::play::Game;
use super::session::Body;

/// The cells, White first.
pub const CELLS: [&str; 3] = ["white", "blue", "red"];
/// Who a message may go to.
pub const RECIPIENTS: [&str; 4] = ["white", "blue", "red", "all"];
/// What the projector page can show (besides `forecast:SEQ`, a shared forecast).
pub const PROJECTOR_ITEMS: [&str; 8] = [
    "state",
    "map",
    "allies",
    "path",
    "last-turn",
    "messages",
    "timer",
    "effects",
];
/// How the map can be coloured.
pub const COLOURS: [&str; 3] = ["stance", "threat", "channel"];
/// The longest timer White may set: a day.
pub const MAX_TIMER_SECONDS: u64 = 86_400;

/// A message in the record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Msg {
    pub seq: u64,
    pub turn: usize,
    pub from: String,
    pub to: String,
    pub text: String,
    pub rfi: bool,
    pub reply_to: Option<u64>,
    /// For a request for information: the entry that answered it.
    pub answered_by: Option<u64>,
}

/// A forecast or comparison shown to the cell that asked (and White), and who it was shared with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shown {
    pub seq: u64,
    pub turn: usize,
    /// The cell that asked.
    pub by: String,
    pub label: String,
    /// The transcript's text of it.
    pub text: String,
    /// Its fan chart (two fans overlaid for a comparison).
    pub svg: String,
    /// Cells (or `all`) it was shared with.
    pub shared: Vec<String>,
}

impl Shown {
    /// Whether `cell` may see it (White sees everything).
    pub fn visible_to(&self, cell: &str) -> bool {
        cell == "white" || self.by == cell || self.shared.iter().any(|s| s == cell || s == "all")
    }
}

/// White's turn timer.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Timer {
    /// Length it was started with (0: no timer).
    pub seconds: u64,
    /// Milliseconds left when it was last started, paused or resumed.
    pub remaining_ms: u64,
    /// When it runs: since when (ms since 1970).
    pub running_since_ms: Option<u64>,
}

impl Timer {
    /// Milliseconds left at `now_ms`.
    pub fn left_ms(&self, now_ms: u64) -> u64 {
        match self.running_since_ms {
            Some(s) => self.remaining_ms.saturating_sub(now_ms.saturating_sub(s)),
            None => self.remaining_ms,
        }
    }
}

/// `mm:ss` (or `h:mm:ss`).
pub fn clock(ms: u64) -> String {
    let s = ms.div_ceil(1000);
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

/// What the projector shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Projector {
    pub show: Vec<String>,
    pub colour: String,
}

impl Default for Projector {
    fn default() -> Self {
        Projector {
            show: ["state", "map", "last-turn", "messages", "timer"]
                .map(String::from)
                .to_vec(),
            colour: "stance".into(),
        }
    }
}

fn title(cell: &str) -> String {
    match cell {
        "white" => "White".into(),
        "blue" => "Blue".into(),
        "red" => "Red".into(),
        "all" => "all players".into(),
        c => c.to_string(),
    }
}

impl Game {
    /// A message, a request for information, or White's answer to one.
    pub(super) fn message(
        &mut self,
        from: String,
        to: String,
        text: String,
        rfi: bool,
        reply_to: Option<u64>,
    ) -> Result<(Body, String), String> {
        let seq = self.entries_done + 1;
        if !CELLS.contains(&from.as_str()) {
            return Err(format!("no cell `{from}`; allowed: {}", CELLS.join(", ")));
        }
        if !RECIPIENTS.contains(&to.as_str()) {
            return Err(format!(
                "no recipient `{to}`{}; allowed: {}",
                crate::kernel::suggest::did_you_mean(&to, RECIPIENTS),
                RECIPIENTS.join(", ")
            ));
        }
        if from == to {
            return Err(format!("{} cannot send a message to itself", title(&from)));
        }
        if from != "white" && to != "white" && to != "all" {
            return Err(format!(
                "{} may write to White or to all players (`to=white`, `to=all`)",
                title(&from)
            ));
        }
        if text.trim().is_empty() {
            return Err("a message needs its text after ` -- `".into());
        }
        if rfi && (from == "white" || to != "white") {
            return Err("a request for information goes from a cell to White".into());
        }
        let text_out = if let Some(q) = reply_to {
            if from != "white" {
                return Err("White answers requests for information".into());
            }
            let Some(ask) = self.messages.iter().find(|m| m.seq == q && m.rfi) else {
                return Err(format!(
                    "no request for information #{q}; open requests: {}",
                    self.open_rfis()
                ));
            };
            if ask.from != to {
                return Err(format!(
                    "request #{q} came from {}: the answer goes to `{}`",
                    title(&ask.from),
                    ask.from
                ));
            }
            format!(
                "White answers request for information #{q} (to {}): {text}\n",
                title(&to)
            )
        } else if rfi {
            format!(
                "Request for information #{seq} from {} to White: {text}\n",
                title(&from)
            )
        } else {
            format!(
                "Message #{seq} from {} to {}: {text}\n",
                title(&from),
                title(&to)
            )
        };
        if let Some(q) = reply_to
            && let Some(m) = self.messages.iter_mut().find(|m| m.seq == q)
        {
            m.answered_by.get_or_insert(seq);
        }
        self.messages.push(Msg {
            seq,
            turn: self.turn(),
            from: from.clone(),
            to: to.clone(),
            text: text.clone(),
            rfi,
            reply_to,
            answered_by: None,
        });
        Ok((
            Body::Message {
                from,
                to,
                text,
                rfi,
                reply_to,
            },
            text_out,
        ))
    }

    /// The requests for information not yet answered, as `#seq (cell)`.
    pub fn open_rfis(&self) -> String {
        let open: Vec<String> = self
            .messages
            .iter()
            .filter(|m| m.rfi && m.answered_by.is_none())
            .map(|m| format!("#{} ({})", m.seq, m.from))
            .collect();
        if open.is_empty() {
            "none".into()
        } else {
            open.join(", ")
        }
    }

    /// A cell shares one of its forecasts (White: any forecast) with a cell or all players.
    pub(super) fn share(
        &mut self,
        by: String,
        forecast: u64,
        with: String,
    ) -> Result<(Body, String), String> {
        if !CELLS.contains(&by.as_str()) {
            return Err(format!("no cell `{by}`; allowed: {}", CELLS.join(", ")));
        }
        if !RECIPIENTS.contains(&with.as_str()) || with == by {
            return Err(format!(
                "share with: allowed: {}",
                RECIPIENTS
                    .iter()
                    .filter(|r| **r != by)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let mine: Vec<String> = self
            .shown
            .iter()
            .filter(|s| by == "white" || s.by == by)
            .map(|s| format!("#{}", s.seq))
            .collect();
        let Some(s) = self
            .shown
            .iter_mut()
            .find(|s| s.seq == forecast && (by == "white" || s.by == by))
        else {
            return Err(format!(
                "no forecast #{forecast} of {} to share; allowed: {}",
                title(&by),
                if mine.is_empty() {
                    "none yet".to_string()
                } else {
                    mine.join(", ")
                }
            ));
        };
        if !s.shared.contains(&with) {
            s.shared.push(with.clone());
        }
        let text = format!(
            "{} shares forecast #{forecast} with {}\n",
            title(&by),
            title(&with)
        );
        Ok((Body::Share { by, forecast, with }, text))
    }

    /// White starts, pauses, resumes or stops the turn timer.
    pub(super) fn timer(
        &mut self,
        action: String,
        seconds: u64,
        at_ms: u64,
    ) -> Result<(Body, String), String> {
        let t = &mut self.timer;
        let text = match action.as_str() {
            "start" => {
                if seconds == 0 || seconds > MAX_TIMER_SECONDS {
                    return Err(format!(
                        "timer start: allowed: 1 second to {} hours (e.g. `timer start 20` for 20 minutes)",
                        MAX_TIMER_SECONDS / 3600
                    ));
                }
                *t = Timer {
                    seconds,
                    remaining_ms: seconds * 1000,
                    running_since_ms: Some(at_ms),
                };
                format!("White starts the turn timer: {}\n", clock(seconds * 1000))
            }
            "pause" => {
                if t.running_since_ms.is_none() {
                    return Err("the timer is not running".into());
                }
                t.remaining_ms = t.left_ms(at_ms);
                t.running_since_ms = None;
                format!(
                    "White pauses the turn timer ({} left)\n",
                    clock(t.remaining_ms)
                )
            }
            "resume" => {
                if t.running_since_ms.is_some() || t.seconds == 0 {
                    return Err("no paused timer to resume (`timer start MINUTES`)".into());
                }
                t.running_since_ms = Some(at_ms);
                format!(
                    "White resumes the turn timer ({} left)\n",
                    clock(t.remaining_ms)
                )
            }
            "stop" => {
                *t = Timer::default();
                "White stops the turn timer\n".into()
            }
            other => {
                return Err(format!(
                    "timer {other}{}: allowed: start MINUTES, pause, resume, stop",
                    crate::kernel::suggest::did_you_mean(
                        other,
                        ["start", "pause", "resume", "stop"]
                    )
                ));
            }
        };
        Ok((
            Body::Timer {
                action,
                seconds,
                at_ms,
            },
            text,
        ))
    }

    /// White chooses what the projector shows.
    pub(super) fn set_projector(
        &mut self,
        show: Vec<String>,
        colour: String,
    ) -> Result<(Body, String), String> {
        if !COLOURS.contains(&colour.as_str()) {
            return Err(format!(
                "colour={colour}{}: allowed: {}",
                crate::kernel::suggest::did_you_mean(&colour, COLOURS),
                COLOURS.join(", ")
            ));
        }
        let mut names = Vec::new();
        for item in &show {
            if let Some(n) = item.strip_prefix("forecast:") {
                let ok = n
                    .parse::<u64>()
                    .ok()
                    .is_some_and(|q| self.shown.iter().any(|s| s.seq == q));
                if !ok {
                    return Err(format!(
                        "`{item}`: no such forecast (see the forecasts' numbers, #N)"
                    ));
                }
                names.push(format!("forecast #{n}"));
            } else if PROJECTOR_ITEMS.contains(&item.as_str()) {
                names.push(if item == "map" {
                    format!("map (coloured by {colour})")
                } else {
                    item.clone()
                });
            } else {
                return Err(format!(
                    "`{item}`{}: allowed: {}, forecast:N",
                    crate::kernel::suggest::did_you_mean(item, PROJECTOR_ITEMS),
                    PROJECTOR_ITEMS.join(", ")
                ));
            }
        }
        self.projector = Projector {
            show: show.clone(),
            colour: colour.clone(),
        };
        let text = format!(
            "White sets the projector: {}\n",
            if names.is_empty() {
                "blank".to_string()
            } else {
                names.join(", ")
            }
        );
        Ok((Body::Projector { show, colour }, text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_timer_counts_down_pauses_and_resumes() {
        let mut t = Timer {
            seconds: 60,
            remaining_ms: 60_000,
            running_since_ms: Some(1_000),
        };
        assert_eq!(t.left_ms(11_000), 50_000);
        t.remaining_ms = t.left_ms(11_000);
        t.running_since_ms = None;
        assert_eq!(t.left_ms(99_000), 50_000);
        assert_eq!(t.left_ms(u64::MAX), 50_000);
        assert_eq!(clock(50_000), "00:50");
        assert_eq!(clock(3_600_000), "1:00:00");
        assert_eq!(clock(1), "00:01");
    }
}
