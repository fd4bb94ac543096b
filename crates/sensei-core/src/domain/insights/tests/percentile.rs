use super::super::{nearest_rank, Spread};

#[test]
fn an_empty_list_has_no_percentile() {
    assert_eq!(nearest_rank(&[], 50), None);
    assert_eq!(nearest_rank(&[], 0), None);
    assert_eq!(Spread::of(Vec::new()), Spread::default());
}

#[test]
fn one_element_is_every_percentile() {
    for p in [0, 1, 50, 90, 100] {
        assert_eq!(nearest_rank(&[42], p), Some(42), "p{p}");
    }
}

#[test]
fn the_90th_percentile_of_ten_is_the_ninth_value() {
    let values: Vec<i64> = (1..=10).collect();
    assert_eq!(nearest_rank(&values, 90), Some(9));
    assert_eq!(nearest_rank(&values, 91), Some(10));
    assert_eq!(nearest_rank(&values, 100), Some(10));
    assert_eq!(nearest_rank(&values, 10), Some(1));
    assert_eq!(nearest_rank(&values, 11), Some(2));
    assert_eq!(nearest_rank(&values, 0), Some(1));
}

#[test]
fn the_median_of_an_even_count_is_the_lower_middle_value() {
    assert_eq!(nearest_rank(&[10, 20, 30, 40], 50), Some(20));
    assert_eq!(nearest_rank(&[10, 20, 30], 50), Some(20));
    assert_eq!(nearest_rank(&[10, 20], 50), Some(10));
}

#[test]
fn ties_give_the_tied_value() {
    assert_eq!(nearest_rank(&[5, 5, 5, 5, 9], 50), Some(5));
    assert_eq!(nearest_rank(&[5, 5, 5, 5, 9], 80), Some(5));
    assert_eq!(nearest_rank(&[5, 5, 5, 5, 9], 81), Some(9));
}

#[test]
fn a_percentile_above_100_is_none() {
    assert_eq!(nearest_rank(&[1, 2, 3], 101), None);
}

#[test]
fn a_spread_sorts_its_input() {
    let spread = Spread::of(vec![30, 10, 20, 50, 40]);
    assert_eq!(
        spread,
        Spread {
            count: 5,
            median_secs: Some(30),
            p90_secs: Some(50),
        }
    );
}
