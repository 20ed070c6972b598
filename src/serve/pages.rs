//! The pages: one HTML shell per role around one script and one style sheet, all compiled into
//! the binary (no fonts, scripts or styles from elsewhere). The page holds no secret (the
//! secret is in an `HttpOnly` cookie) and no state: the script draws the role's view as the
//! event stream delivers it.

use super::auth::Role;
use crate::kernel::html::escape;

pub const APP_JS: &str = include_str!("assets/app.js");
pub const APP_CSS: &str = include_str!("assets/app.css");

const HEAD: &str = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<link rel=\"stylesheet\" href=\"/assets/app.css\">";

/// The front page: how to join (no links on it: they carry secrets).
pub const INDEX: &str = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<link rel=\"stylesheet\" href=\"/assets/app.css\"><title>cohesion — wargame</title></head>\
<body class=\"plain\"><h1>cohesion wargame</h1><p>Join with the link White gave you \
(White: the links are printed where the server was started, and on the White page).</p>\
</body></html>\n";

/// The page of role `r`.
pub fn page(r: Role) -> String {
    let title = match r {
        Role::White => "White — control",
        Role::Blue => "Blue cell",
        Role::Red => "Red cell",
        Role::Projector => "Projector",
    };
    format!(
        "{HEAD}<title>cohesion — {title}</title><script src=\"/assets/app.js\" defer></script></head>\n\
<body data-role=\"{}\" class=\"role-{}\"><header id=\"top\"><span class=\"badge\">{title}</span>\
<span id=\"headline\">connecting…</span><span id=\"timer\"></span><span id=\"conn\" class=\"conn\">connecting</span></header>\n\
<main id=\"app\"><noscript>This page needs JavaScript (it is served by the cohesion binary itself).</noscript></main></body></html>\n",
        r.name(),
        r.name()
    )
}

/// The page shown to someone without a valid link for `role`.
pub fn denied(role: &str) -> String {
    format!(
        "{HEAD}<title>cohesion — link needed</title></head><body class=\"plain\"><h1>Link needed</h1>\
<p>The {} page opens from its join link. Ask White for the current one (White can revoke and \
reissue links; a restarted server may have issued new ones).</p></body></html>\n",
        escape(role)
    )
}
