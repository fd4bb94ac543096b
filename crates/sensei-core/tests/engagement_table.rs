//! `engagement_percent` against the table Python's own `round()` produced
//! (`tools/engagement/generate_table.py`), for every `0 <= passed + engaged <= total <= 200`.
//!
//! The formula depends on `passed` and `engaged` only through their sum, so the table holds one
//! split per sum; this test also checks every other split for small totals and a spread of
//! splits for the rest.

use sensei_core::engagement_percent;

const TABLE: &str = include_str!("data/engagement_table.csv");

struct Row {
    passed: u32,
    engaged: u32,
    total: u32,
    percent: u32,
}

/// The table's rows; an error names the first malformed line.
fn parse_table() -> Result<Vec<Row>, String> {
    let mut lines = TABLE.lines();
    if lines.next() != Some("passed,engaged,total,percent") {
        return Err("the table's header is not passed,engaged,total,percent".to_owned());
    }
    lines
        .map(|line| {
            let fields = line
                .split(',')
                .map(str::parse::<u32>)
                .collect::<Result<Vec<u32>, _>>()
                .map_err(|error| format!("malformed row {line:?}: {error}"))?;
            match fields[..] {
                [passed, engaged, total, percent] => Ok(Row {
                    passed,
                    engaged,
                    total,
                    percent,
                }),
                _ => Err(format!("malformed row {line:?}: expected 4 fields")),
            }
        })
        .collect()
}

fn rows() -> Vec<Row> {
    parse_table().unwrap_or_default()
}

#[test]
fn the_table_parses() {
    parse_table().unwrap();
}

#[test]
fn the_table_covers_every_sum_up_to_a_total_of_200() {
    let rows = rows();
    assert_eq!(rows.len(), (0..=200).map(|total| total + 1).sum::<usize>());
    let mut expected =
        (0..=200u32).flat_map(|total| (0..=total).map(move |touched| (total, touched)));
    for row in &rows {
        assert_eq!(Some((row.total, row.passed + row.engaged)), expected.next());
    }
}

#[test]
fn every_row_matches_pythons_round() {
    for row in rows() {
        assert_eq!(
            engagement_percent(row.passed, row.engaged, row.total),
            row.percent,
            "passed={} engaged={} total={}",
            row.passed,
            row.engaged,
            row.total
        );
    }
}

#[test]
fn the_split_between_passed_and_engaged_does_not_change_the_percentage() {
    for row in rows() {
        let touched = row.passed + row.engaged;
        let splits: Vec<u32> = if row.total <= 40 {
            (0..=touched).collect()
        } else {
            vec![0, touched / 3, touched / 2, touched]
        };
        for passed in splits {
            let engaged = touched - passed;
            assert_eq!(
                engagement_percent(passed, engaged, row.total),
                row.percent,
                "passed={passed} engaged={engaged} total={}",
                row.total
            );
        }
    }
}

#[test]
fn the_table_contains_the_ties_that_round_half_to_even() {
    let rows = rows();
    let find = |touched: u32, total: u32| {
        rows.iter()
            .find(|row| row.total == total && row.passed + row.engaged == touched)
            .map(|row| row.percent)
    };
    // 1/8 = 12.5 % rounds down to the even 12; 3/8 = 37.5 % rounds up to the even 38.
    assert_eq!(find(1, 8), Some(12));
    assert_eq!(find(3, 8), Some(38));
    // 1/200 = 0.5 % rounds to 0.
    assert_eq!(find(1, 200), Some(0));
    assert_eq!(find(0, 0), Some(0));
}
