//! Roles and their secrets.
//!
//! Each role (White, Blue, Red, the projector) joins by a link carrying a secret of 32 random
//! bytes from the operating system's random source — never from the session's seed, which is
//! in the log. Secrets live in the server's memory only (unless White asks for a links file
//! with `--links`), are never logged, and a resumed server draws new ones. White can revoke
//! and reissue any role's secret; the old one stops working at once.
//!
//! A request proves its role with the secret in an `Authorization: Bearer` header, in the
//! role's cookie (set when the link is followed, `HttpOnly`, `SameSite=Strict`) or in a
//! `key=` query parameter. Secrets are compared in constant time.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Who a request is from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    White,
    Blue,
    Red,
    Projector,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::White, Role::Blue, Role::Red, Role::Projector];

    pub fn name(self) -> &'static str {
        match self {
            Role::White => "white",
            Role::Blue => "blue",
            Role::Red => "red",
            Role::Projector => "projector",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == s)
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// The cookie that carries this role's secret.
    pub fn cookie(self) -> String {
        format!("cohesion_{}", self.name())
    }
}

/// A fresh secret: 32 bytes from the operating system, as 64 hex digits.
pub fn fresh_secret() -> Result<String> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| anyhow::anyhow!("no random source: {e}"))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// Equal strings, compared without stopping at the first difference.
pub fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Every role's current secret.
#[derive(Debug, Clone)]
pub struct Secrets {
    keys: [String; 4],
    /// Where they are kept across restarts, when White asked for that (`--links FILE`).
    file: Option<PathBuf>,
}

impl Secrets {
    /// New secrets, or those of `file` when it exists (written when it does not).
    pub fn load_or_new(file: Option<&Path>) -> Result<Secrets> {
        if let Some(f) = file
            && f.exists()
        {
            let text = std::fs::read_to_string(f)
                .with_context(|| format!("cannot read the links file {}", f.display()))?;
            let mut keys: [String; 4] = Default::default();
            for line in text.lines() {
                if let Some((r, k)) = line.split_once('=')
                    && let Some(role) = Role::parse(r.trim())
                {
                    let k = k.trim();
                    if k.len() == 64 && k.bytes().all(|c| c.is_ascii_hexdigit()) {
                        keys[role.index()] = k.to_string();
                    }
                }
            }
            if keys.iter().all(|k| !k.is_empty()) {
                return Ok(Secrets {
                    keys,
                    file: Some(f.to_path_buf()),
                });
            }
            anyhow::bail!(
                "{}: not a links file (one line `ROLE=64 hex digits` for each of white, blue, red, projector); remove it to draw new links",
                f.display()
            );
        }
        let mut keys: [String; 4] = Default::default();
        for k in &mut keys {
            *k = fresh_secret()?;
        }
        let s = Secrets {
            keys,
            file: file.map(Path::to_path_buf),
        };
        s.save()?;
        Ok(s)
    }

    fn save(&self) -> Result<()> {
        let Some(f) = &self.file else {
            return Ok(());
        };
        let text: String = Role::ALL
            .iter()
            .map(|r| format!("{}={}\n", r.name(), self.keys[r.index()]))
            .collect();
        crate::kernel::fs::write_atomic(f, text.as_bytes())
            .map_err(|e| anyhow::anyhow!("cannot write the links file {}: {e}", f.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o600)).ok();
        }
        Ok(())
    }

    pub fn get(&self, r: Role) -> &str {
        &self.keys[r.index()]
    }

    /// Whether `key` is role `r`'s secret.
    pub fn check(&self, r: Role, key: &str) -> bool {
        same(&self.keys[r.index()], key)
    }

    /// The role whose secret `key` is.
    pub fn role_of(&self, key: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| self.check(*r, key))
    }

    /// Revokes role `r`'s secret and issues a new one.
    pub fn reissue(&mut self, r: Role) -> Result<()> {
        self.keys[r.index()] = fresh_secret()?;
        self.save()
    }
}

/// The secret a request carries for role `r`: the bearer header, the role's cookie, or `key=`.
pub fn presented(
    r: Role,
    authorization: Option<&str>,
    cookie: Option<&str>,
    query: Option<&str>,
) -> Option<String> {
    if let Some(a) = authorization.and_then(|a| a.strip_prefix("Bearer ")) {
        return Some(a.trim().to_string());
    }
    let name = r.cookie();
    if let Some(c) = cookie {
        for part in c.split(';') {
            if let Some((k, v)) = part.trim().split_once('=')
                && k == name
            {
                return Some(v.to_string());
            }
        }
    }
    query.and_then(|q| {
        q.split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "key")
            .map(|(_, v)| v.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_distinct_and_reissued() {
        let mut s = Secrets::load_or_new(None).unwrap();
        let keys: Vec<String> = Role::ALL.iter().map(|r| s.get(*r).to_string()).collect();
        assert!(keys.iter().all(|k| k.len() == 64));
        for i in 0..4 {
            for j in 0..i {
                assert_ne!(keys[i], keys[j]);
            }
        }
        assert_eq!(s.role_of(&keys[1]), Some(Role::Blue));
        let old = keys[1].clone();
        s.reissue(Role::Blue).unwrap();
        assert!(!s.check(Role::Blue, &old));
        assert_eq!(s.role_of(&old), None);
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }

    #[test]
    fn a_request_presents_its_secret_three_ways() {
        let r = Role::Red;
        assert_eq!(
            presented(r, Some("Bearer k1"), None, None).as_deref(),
            Some("k1")
        );
        assert_eq!(
            presented(r, None, Some("a=b; cohesion_red=k2"), None).as_deref(),
            Some("k2")
        );
        assert_eq!(
            presented(r, None, Some("cohesion_blue=k3"), None).as_deref(),
            None
        );
        assert_eq!(
            presented(r, None, None, Some("x=1&key=k4")).as_deref(),
            Some("k4")
        );
    }

    #[test]
    fn a_links_file_keeps_the_secrets_across_restarts() {
        let t = tempfile::tempdir().unwrap();
        let f = t.path().join("links");
        let a = Secrets::load_or_new(Some(&f)).unwrap();
        let b = Secrets::load_or_new(Some(&f)).unwrap();
        assert_eq!(a.get(Role::White), b.get(Role::White));
        std::fs::write(&f, "white=zz\n").unwrap();
        assert!(Secrets::load_or_new(Some(&f)).is_err());
    }
}
