use std::collections::BTreeMap;

use super::*;
use crate::types::fold;

/// A fixed xorshift, so a failure repeats.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A word of one to four letters from a small alphabet (so prefixes of one
/// word start many others), sometimes capitalised or non-ASCII.
fn word(rng: &mut Rng) -> String {
    const LETTERS: [&str; 6] = ["a", "b", "c", "é", "Ö", "ß"];
    (0..1 + rng.below(4)).map(|_| LETTERS[rng.below(LETTERS.len())]).collect()
}

/// A name of one to three words joined by separators of several kinds.
fn name(rng: &mut Rng) -> String {
    const SEPS: [&str; 5] = [" ", "-", "  ", "’", ". "];
    let n = 1 + rng.below(3);
    let mut s = word(rng);
    for _ in 1..n {
        s.push_str(SEPS[rng.below(SEPS.len())]);
        s.push_str(&word(rng));
    }
    s
}

/// The naive answer: every user whose name matches, ascending.
fn scan(names: &BTreeMap<u32, String>, search: &[String]) -> Vec<u32> {
    names.iter().filter(|(_, n)| name_matches(n, search)).map(|(&id, _)| id).collect()
}

#[test]
fn searches_agree_with_a_scan_of_every_name_through_inserts_renames_and_removals() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut index = NameIndex::default();
    let mut names: BTreeMap<u32, String> = BTreeMap::new();
    for round in 0..3000 {
        // Mostly new users, some renamed, some removed, ids not always ascending.
        let id = rng.below(400) as u32;
        match (names.get(&id).cloned(), rng.below(4)) {
            (Some(old), 0) => {
                index.remove(&old, id);
                names.remove(&id);
            }
            (old, _) => {
                if let Some(old) = old {
                    index.remove(&old, id);
                }
                let n = name(&mut rng);
                index.insert(&n, id);
                names.insert(id, n);
            }
        }
        if round % 10 != 0 {
            continue;
        }
        let search: Vec<String> = (0..1 + rng.below(3)).map(|_| word(&mut rng)).collect();
        let want = scan(&names, &search);
        let got = index.search(&search, 400);
        assert_eq!(got.len(), want.len(), "{search:?}");
        assert_eq!(got.iter_from(0).collect::<Vec<_>>(), want, "{search:?}");
        let skip = rng.below(want.len() + 2);
        assert_eq!(got.iter_from(skip).collect::<Vec<_>>(), want.iter().copied().skip(skip).collect::<Vec<_>>());
    }
    // Every name gone: nothing is left behind.
    for (id, n) in std::mem::take(&mut names) {
        index.remove(&n, id);
    }
    assert_eq!(index.size(), (0, 0));
}

#[test]
fn a_search_word_starts_any_word_of_the_name_not_a_middle() {
    let mut index = NameIndex::default();
    index.insert("Ada Lovelace", 1);
    index.insert("Jonas Smith-Jones", 2);
    index.insert("Bojo O’Brien", 3);
    let ids = |q: &[&str]| index.search(q, 64).iter_from(0).collect::<Vec<_>>();
    assert_eq!(ids(&["jo"]), vec![2], "a first or a later word counts, a middle (Bojo) does not");
    assert_eq!(ids(&["JONES"]), vec![2]);
    assert_eq!(ids(&["love"]), vec![1]);
    assert_eq!(ids(&["ove"]), Vec::<u32>::new());
    assert_eq!(ids(&["brien"]), vec![3]);
    assert_eq!(ids(&["o", "b"]), vec![3]);
    assert_eq!(ids(&["jo*", "smi"]), vec![2], "a * wildcard is no part of a word");
    assert_eq!(ids(&["jon sm"]), vec![2], "a value of several words is several words");
    assert_eq!(ids(&["jo", "lovelace"]), Vec::<u32>::new());
}

#[test]
fn words_that_start_other_search_words_are_dropped_from_the_plan() {
    assert_eq!(plan(&["a a a a", "ab", "Abc", "b", "ba", "c"]), vec!["abc", "ba", "c"]);
    assert!(plan::<&str>(&[]).is_empty());
    assert!(plan(&["* - ."]).is_empty());
}

#[test]
fn ids_at_or_past_the_universe_are_left_out() {
    let mut index = NameIndex::default();
    index.insert("Ann", 3);
    index.insert("Ann", 64);
    index.insert("Ann", 65);
    let m = index.search(&["ann"], 65);
    assert_eq!(m.iter_from(0).collect::<Vec<_>>(), vec![3, 64]);
    assert_eq!(m.iter_from(2).count(), 0);
    assert!(index.search(&["bob"], 65).is_empty());
}

#[test]
fn membership_of_an_id_is_one_bit_test_that_agrees_with_the_iteration() {
    let mut index = NameIndex::default();
    for id in [0, 5, 63, 64, 130] {
        index.insert("Crowd Member", id);
    }
    index.insert("Someone Else", 7);
    let m = index.search(&["crowd"], 200);
    let listed: Vec<u32> = m.iter_from(0).collect();
    for id in 0..200 {
        assert_eq!(m.contains(id), listed.contains(&id), "id {id}");
    }
    assert!(!m.contains(10_000), "an id past the bitmap matches nothing");
    assert!(!NameMatches::default().contains(0));
}

/// Resident memory, in KiB, from /proc (Linux only).
fn rss_kib() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Sizes the index for 100,000 users two ways: names as the benchmark's
/// dataset draws them (70 first names x 75 surnames), and unique surnames
/// (the worst case for distinct words). Run with `--ignored --nocapture`.
#[test]
#[ignore = "a measurement, not a check"]
fn the_index_of_100000_names_is_a_few_megabytes() {
    let mut rng = Rng(7);
    // An entry is padded to its 64-byte alignment: what it holds, and its size.
    let held = std::mem::offset_of!(crate::model::UserEntry, user) + std::mem::size_of::<crate::types::User>();
    println!("a user entry: {held} bytes held, {} bytes in all", std::mem::size_of::<crate::model::UserEntry>());
    for unique in [false, true] {
        let before = rss_kib().unwrap_or(0);
        let built = std::time::Instant::now();
        let mut index = NameIndex::default();
        for id in 0..100_000u32 {
            let first =
                ["Alice", "Bob", "Carol", "Dmitri", "Elif"][rng.below(5)].to_string() + &rng.below(14).to_string();
            let last = if unique { format!("Surname{id}") } else { format!("Last{}", rng.below(75)) };
            index.insert(&format!("{first} {last}"), id);
        }
        let after = rss_kib().unwrap_or(0);
        println!("built in {:?}", built.elapsed());
        // What the old scan kept instead: a case-folded copy of every name.
        let copies: Vec<Box<str>> =
            (0..100_000u32).map(|id| fold(&format!("Alice{} Surname{id}", id % 14)).into()).collect();
        let copied = rss_kib().unwrap_or(0).saturating_sub(after);
        println!(
            "unique surnames: {unique}; words, postings: {:?}; RSS +{} KiB; the folded copies it replaces: {copied} KiB",
            index.size(),
            after.saturating_sub(before)
        );
        drop(copies);
        for q in [&["a", "l"][..], &["s"], &["a", "b", "c", "d", "e", "l", "s"], &["bob", "last7"], &["zz"]] {
            let t = std::time::Instant::now();
            let hits = (0..10).map(|_| index.search(q, 100_000).len()).max().unwrap_or(0);
            println!("  search {q:?}: {hits} hits, {:?} each", t.elapsed() / 10);
        }
    }
}
