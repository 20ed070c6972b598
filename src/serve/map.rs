//! The map of the allies: a tile-grid cartogram, one square per ally placed roughly where it
//! lies (North America on the left, the Baltic top right, the Balkans and Turkey bottom
//! right), so thirty allies of very different sizes are all visible and clickable. The
//! placement is this file's own (no map data is vendored); allies it does not know get the
//! squares of the rows below the others, in the scenario's order.

/// (name, ISO 3166-1 alpha-3 code, column, row) of NATO's thirty allies in 2021.
pub const TILES: [(&str, &str, u32, u32); 30] = [
    ("Canada", "CAN", 0, 0),
    ("Iceland", "ISL", 2, 0),
    ("Norway", "NOR", 5, 0),
    ("Estonia", "EST", 7, 0),
    ("United States", "USA", 0, 1),
    ("United Kingdom", "GBR", 3, 1),
    ("Denmark", "DNK", 5, 1),
    ("Latvia", "LVA", 7, 1),
    ("Netherlands", "NLD", 4, 2),
    ("Germany", "DEU", 5, 2),
    ("Poland", "POL", 6, 2),
    ("Lithuania", "LTU", 7, 2),
    ("Belgium", "BEL", 3, 3),
    ("Luxembourg", "LUX", 4, 3),
    ("Czech Republic", "CZE", 5, 3),
    ("Slovakia", "SVK", 6, 3),
    ("France", "FRA", 3, 4),
    ("Slovenia", "SVN", 5, 4),
    ("Hungary", "HUN", 6, 4),
    ("Romania", "ROU", 7, 4),
    ("Portugal", "PRT", 1, 5),
    ("Spain", "ESP", 2, 5),
    ("Italy", "ITA", 4, 5),
    ("Croatia", "HRV", 5, 5),
    ("Bulgaria", "BGR", 7, 5),
    ("Turkey", "TUR", 8, 5),
    ("Montenegro", "MNE", 5, 6),
    ("North Macedonia", "MKD", 6, 6),
    ("Albania", "ALB", 5, 7),
    ("Greece", "GRC", 6, 7),
];

/// The first row for allies the grid does not place, and how many such a row holds.
pub const OVERFLOW_ROW: u32 = 9;
pub const OVERFLOW_COLUMNS: u32 = 9;

fn find(name: &str) -> Option<&'static (&'static str, &'static str, u32, u32)> {
    TILES.iter().find(|t| t.0.eq_ignore_ascii_case(name))
}

/// The tiles of a scenario's allies (column, row), in their order: a known ally on its
/// square, the others in the overflow rows below, in turn, so no two share a square.
pub fn tiles<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<(u32, u32)> {
    let mut unknown = 0u32;
    names
        .into_iter()
        .map(|name| match find(name) {
            Some(t) => (t.2, t.3),
            None => {
                unknown += 1;
                let k = unknown - 1;
                (k % OVERFLOW_COLUMNS, OVERFLOW_ROW + k / OVERFLOW_COLUMNS)
            }
        })
        .collect()
}

/// The short label of an ally's tile: its ISO code, else its first three letters.
pub fn iso(name: &str) -> String {
    match find(name) {
        Some(t) => t.1.to_string(),
        None => name.chars().take(3).collect::<String>().to_uppercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_ally_has_its_own_tile() {
        let csv = include_str!("../../scenarios/data/nato-allies-2021.csv");
        let names: Vec<&str> = csv
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').next())
            .collect();
        assert_eq!(names.len(), 30);
        let mut seen = std::collections::BTreeSet::new();
        for n in names {
            assert!(find(n).is_some(), "{n} has no tile");
            assert!(seen.insert(tiles([n])[0]), "{n} shares a tile");
        }
    }

    #[test]
    fn allies_the_grid_does_not_know_get_squares_of_their_own() {
        let names: Vec<String> = (0..20).map(|i| format!("Ally {i}")).collect();
        let mut all: Vec<&str> = vec!["Estonia"];
        all.extend(names.iter().map(String::as_str));
        let t = tiles(all);
        assert_eq!(t[0], (7, 0));
        assert_eq!(t[1], (0, OVERFLOW_ROW));
        assert_eq!(t[10], (0, OVERFLOW_ROW + 1));
        let distinct: std::collections::BTreeSet<_> = t.iter().collect();
        assert_eq!(distinct.len(), t.len());
    }
}
