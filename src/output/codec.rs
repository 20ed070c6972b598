//! The exact binary form of folded statistics, for checkpoints and shard parts.
//!
//! A merge or a resume must reproduce the single-machine result bit for bit, so what it folds
//! later has to be exactly what the run folded: every `f64` is stored as its bits, every count
//! as an integer. Quantile sketches are stored sparsely (only non-zero bins), since most bins
//! of a histogram stay empty. A file starts with a magic word, a format version and a
//! fingerprint of the layout (options, outcomes, series, turns), and ends with a BLAKE3 hash
//! of everything before it, so a damaged, truncated or foreign file is refused, never folded.

use anyhow::{Result, bail};

use crate::stats::whole::WholeCounts;
use crate::stats::{Accumulators, BlockMoments, Layout, Moments, Sketch};

const MAGIC: &[u8; 8] = b"COHSTAT\0";
const VERSION: u32 = 1;

/// A fingerprint of a layout: two runs fold into each other only if theirs are equal.
pub fn fingerprint(l: &Layout) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    let mut s = |x: &str| {
        h.update(&(x.len() as u64).to_le_bytes());
        h.update(x.as_bytes());
    };
    for p in &l.policies {
        s(p);
    }
    s(&l.baseline.to_string());
    for o in &l.outcomes {
        s(&o.name);
        s(&format!("{:?}", o.kind));
    }
    for x in &l.series {
        s(&x.name);
        s(&format!("{:?} {:?}", x.min.to_bits(), x.max.to_bits()));
    }
    s(&l.turns.to_string());
    *h.finalize().as_bytes()
}

/// Writes values into a buffer, or through a small buffer into a file (so that the state of
/// a long horizon is never held twice in memory while it is saved).
pub struct Writer {
    buf: Vec<u8>,
    /// Where a streaming writer sends its bytes, with the hash of what it sent.
    dest: Option<(Box<dyn std::io::Write>, blake3::Hasher)>,
    error: Option<std::io::Error>,
}

/// How many bytes a streaming writer gathers before it sends them on.
const CHUNK: usize = 1 << 16;

impl Writer {
    /// A file for `layout`, of the given kind (a short tag such as `part` or `checkpoint`),
    /// built in memory ([`Writer::finish`]).
    pub fn new(kind: &str, layout: &Layout) -> Writer {
        Self::start(kind, layout, None)
    }

    /// The same file, written to `dest` as it goes ([`Writer::finish_streaming`]).
    pub fn streaming(kind: &str, layout: &Layout, dest: Box<dyn std::io::Write>) -> Writer {
        Self::start(kind, layout, Some((dest, blake3::Hasher::new())))
    }

    fn start(
        kind: &str,
        layout: &Layout,
        dest: Option<(Box<dyn std::io::Write>, blake3::Hasher)>,
    ) -> Writer {
        let mut w = Writer {
            buf: Vec::new(),
            dest,
            error: None,
        };
        w.put(MAGIC);
        w.u64(VERSION as u64);
        w.str(kind);
        w.put(&fingerprint(layout));
        w
    }

    fn put(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= CHUNK {
            self.spill();
        }
    }

    /// Sends the gathered bytes on (streaming writers only).
    fn spill(&mut self) {
        if let Some((d, h)) = &mut self.dest {
            h.update(&self.buf);
            if self.error.is_none()
                && let Err(e) = d.write_all(&self.buf)
            {
                self.error = Some(e);
            }
            self.buf.clear();
        }
    }

    /// An unsigned LEB128 varint (seven bits per byte, low first), put in one piece.
    pub fn u64(&mut self, x: u64) {
        let (mut x, mut b, mut n) = (x, [0u8; 10], 0);
        loop {
            b[n] = (x & 0x7f) as u8;
            x >>= 7;
            n += 1;
            if x == 0 {
                break;
            }
            b[n - 1] |= 0x80;
        }
        self.put(&b[..n]);
    }

    pub fn f64(&mut self, x: f64) {
        self.put(&x.to_bits().to_le_bytes());
    }

    pub fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.put(s.as_bytes());
    }

    fn moments(&mut self, m: &Moments) {
        self.u64(m.n);
        self.f64(m.mean);
        self.f64(m.m2);
        self.f64(m.min);
        self.f64(m.max);
    }

    pub fn block_moments(&mut self, b: &BlockMoments) {
        self.u64(b.trials);
        for v in [&b.out, &b.ser, &b.diff] {
            self.u64(v.len() as u64);
            for m in v {
                self.moments(m);
            }
        }
    }

    fn sketch(&mut self, s: &Sketch) {
        match s {
            Sketch::Bins {
                lo, hi, bins, n, ..
            } => {
                self.u64(0);
                self.f64(*lo);
                self.f64(*hi);
                self.u64(*bins as u64);
                self.u64(*n);
                self.u64(s.nonzero().count() as u64);
                let mut last = 0usize;
                for (i, c) in s.nonzero() {
                    self.u64((i - last) as u64);
                    self.u64(c);
                    last = i;
                }
            }
            Sketch::Exact { counts, n } => {
                self.u64(1);
                self.u64(*n);
                self.u64(counts.len() as u64);
                for (k, c) in counts.iter() {
                    self.u64(((k << 1) ^ (k >> 63)) as u64);
                    self.u64(c);
                }
            }
        }
    }

    /// Everything an accumulator holds: moments so far and every sketch.
    pub fn accumulators(&mut self, a: &Accumulators) {
        self.block_moments(&a.moments);
        for v in [&a.sketches.out, &a.sketches.ser] {
            self.u64(v.len() as u64);
            for s in v {
                self.sketch(s);
            }
        }
    }

    /// The finished bytes, with their hash appended (a writer from [`Writer::new`]).
    pub fn finish(mut self) -> Vec<u8> {
        let h = blake3::hash(&self.buf);
        self.buf.extend_from_slice(h.as_bytes());
        self.buf
    }

    /// Sends the last bytes and the hash of everything, and flushes (a writer from
    /// [`Writer::streaming`]).
    pub fn finish_streaming(mut self) -> std::io::Result<()> {
        self.spill();
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        match self.dest.take() {
            Some((mut d, h)) => {
                d.write_all(h.finalize().as_bytes())?;
                d.flush()
            }
            None => Err(std::io::Error::other("not a streaming writer")),
        }
    }
}

/// Reads values back, in the order written.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    what: String,
}

impl<'a> Reader<'a> {
    /// Checks the magic word, version, kind, layout and hash; `what` names the file in errors.
    pub fn new(bytes: &'a [u8], kind: &str, layout: &Layout, what: &str) -> Result<Reader<'a>> {
        let what = what.to_string();
        if bytes.len() < MAGIC.len() + 32 || &bytes[..MAGIC.len()] != MAGIC {
            bail!("{what} is not a cohesion statistics file");
        }
        let (body, hash) = bytes.split_at(bytes.len() - 32);
        if blake3::hash(body).as_bytes() != hash {
            bail!("{what} is damaged (its checksum does not match): it cannot be used");
        }
        let mut r = Reader {
            buf: body,
            pos: MAGIC.len(),
            what,
        };
        let v = r.u64()?;
        if v != VERSION as u64 {
            bail!(
                "{} has statistics format {v}; this cohesion reads format {VERSION}",
                r.what
            );
        }
        let k = r.str()?;
        if k != kind {
            bail!("{} holds a {k}, not a {kind}", r.what);
        }
        let fp = r.take(32)?;
        if fp != fingerprint(layout) {
            bail!(
                "{} was written for other options, outcomes or series than this run's",
                r.what
            );
        }
        Ok(r)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.pos + n > self.buf.len() {
            bail!("{} ends too early", self.what);
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    pub fn u64(&mut self) -> Result<u64> {
        let mut x = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.take(1)?[0];
            x |= ((b & 0x7f) as u64) << shift;
            if b & 0x80 == 0 {
                return Ok(x);
            }
        }
        bail!("{} holds a malformed number", self.what)
    }

    pub fn f64(&mut self) -> Result<f64> {
        let b = self.take(8)?;
        Ok(f64::from_bits(u64::from_le_bytes(
            b.try_into().unwrap_or([0; 8]),
        )))
    }

    pub fn str(&mut self) -> Result<String> {
        let n = self.u64()? as usize;
        let b = self.take(n)?;
        String::from_utf8(b.to_vec()).map_err(|_| anyhow::anyhow!("{} holds bad text", self.what))
    }

    fn moments(&mut self) -> Result<Moments> {
        Ok(Moments {
            n: self.u64()?,
            mean: self.f64()?,
            m2: self.f64()?,
            min: self.f64()?,
            max: self.f64()?,
        })
    }

    fn len(&mut self, want: usize) -> Result<()> {
        let n = self.u64()? as usize;
        if n != want {
            bail!(
                "{} holds {n} statistics where {want} were expected",
                self.what
            );
        }
        Ok(())
    }

    /// Block moments for `layout`.
    pub fn block_moments(&mut self, layout: &Layout) -> Result<BlockMoments> {
        let mut b = BlockMoments::new(layout);
        b.trials = self.u64()?;
        for v in [&mut b.out, &mut b.ser, &mut b.diff] {
            let want = v.len();
            self.len(want)?;
            for m in v.iter_mut() {
                *m = self.moments()?;
            }
        }
        Ok(b)
    }

    fn sketch(&mut self, like: &Sketch) -> Result<Sketch> {
        let tag = self.u64()?;
        match (tag, like) {
            (0, Sketch::Bins { .. }) => {
                let lo = self.f64()?;
                let hi = self.f64()?;
                let bins = self.u64()? as usize;
                let n = self.u64()?;
                if Some(bins) != like.bins() {
                    bail!("{} holds a histogram of another size", self.what);
                }
                let mut s = Sketch::bounded_with(lo, hi, bins);
                let nonzero = self.u64()? as usize;
                let mut i = 0usize;
                let mut total = 0u64;
                for k in 0..nonzero {
                    let step = self.u64()? as usize;
                    if k > 0 && step == 0 {
                        bail!("{} holds a bin twice", self.what);
                    }
                    i = i.saturating_add(step);
                    let c = self.u64()?;
                    total = total.saturating_add(c);
                    if !s.add_to_bin(i, c) {
                        bail!("{} holds a bin past the end", self.what);
                    }
                }
                if total != n {
                    bail!("{} holds a histogram whose counts do not add up", self.what);
                }
                if let Sketch::Bins { n: slot, .. } = &mut s {
                    *slot = n;
                }
                Ok(s)
            }
            (1, Sketch::Exact { .. }) => {
                let n = self.u64()?;
                let len = self.u64()? as usize;
                let mut counts = WholeCounts::default();
                for _ in 0..len {
                    let z = self.u64()?;
                    let k = ((z >> 1) as i64) ^ -((z & 1) as i64);
                    counts.add(k, self.u64()?);
                }
                Ok(Sketch::Exact { counts, n })
            }
            _ => bail!("{} holds a sketch of another kind", self.what),
        }
    }

    /// An accumulator for `layout`, as [`Writer::accumulators`] wrote it.
    pub fn accumulators(&mut self, layout: &Layout) -> Result<Accumulators> {
        let mut a = Accumulators::new(layout.clone());
        a.moments = self.block_moments(layout)?;
        for v in [&mut a.sketches.out, &mut a.sketches.ser] {
            let want = v.len();
            self.len(want)?;
            for s in v.iter_mut() {
                *s = self.sketch(s)?;
            }
        }
        Ok(a)
    }

    /// Fails unless every byte was read.
    pub fn end(&self) -> Result<()> {
        if self.pos != self.buf.len() {
            bail!("{} holds more than expected", self.what);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{OutcomeKind, OutcomeSpec, SeriesSpec};

    fn layout() -> Layout {
        Layout {
            policies: vec!["a".into(), "b".into()],
            baseline: 0,
            outcomes: vec![
                OutcomeSpec::new("x", OutcomeKind::Count, ""),
                OutcomeSpec::new("y", OutcomeKind::Real { min: 0.0, max: 1.0 }, ""),
            ],
            series: vec![SeriesSpec::new("s", -1.0, 1.0, "")],
            turns: 3,
        }
    }

    #[test]
    fn accumulators_round_trip_bit_for_bit_and_damage_is_refused() {
        let l = layout();
        let mut acc = Accumulators::new(l.clone());
        let mut bm = BlockMoments::new(&l);
        let mut vals = Vec::new();
        for i in 0..50 {
            let f = i as f64;
            let row = [
                f - 20.0,
                (f * 0.37).fract(),
                (f * 0.1).sin(),
                (f * 0.2).sin(),
                (f * 0.3).sin(),
                f,
                (f * 0.71).fract(),
                (f * 0.4).cos(),
                (f * 0.5).cos(),
                (f * 0.6).cos(),
            ];
            bm.push_trial(&l, &row);
            vals.extend_from_slice(&row);
        }
        acc.add_values(&bm, &vals);
        let mut w = Writer::new("test", &l);
        w.accumulators(&acc);
        w.block_moments(&bm);
        let bytes = w.finish();
        let mut r = Reader::new(&bytes, "test", &l, "f").unwrap();
        let back = r.accumulators(&l).unwrap();
        let bm2 = r.block_moments(&l).unwrap();
        r.end().unwrap();
        assert_eq!(back.moments, acc.moments);
        assert_eq!(back.sketches, acc.sketches);
        assert_eq!(bm2, bm);
        // An empty accumulator keeps its infinite min and max.
        let mut w = Writer::new("test", &l);
        w.accumulators(&Accumulators::new(l.clone()));
        let bytes0 = w.finish();
        let e = Reader::new(&bytes0, "test", &l, "f")
            .unwrap()
            .accumulators(&l)
            .unwrap();
        assert_eq!(e.moments, BlockMoments::new(&l));
        // Damage, another kind or another layout: refused.
        let mut bad = bytes.clone();
        bad[40] ^= 1;
        assert!(
            Reader::new(&bad, "test", &l, "f")
                .err()
                .unwrap()
                .to_string()
                .contains("damaged")
        );
        assert!(Reader::new(&bytes, "part", &l, "f").is_err());
        let mut l2 = l.clone();
        l2.turns = 4;
        assert!(Reader::new(&bytes, "test", &l2, "f").is_err());
        assert!(Reader::new(&bytes[..bytes.len() - 1], "test", &l, "f").is_err());
    }
}
