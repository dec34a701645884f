use std::sync::Arc;

use roster_core::{GroupId, UserDetails as Profile, UserId};

use super::*;

/// Text with what escaping has to get right: quotes, backslashes,
/// slashes, every control character, non-ASCII up to four bytes, and
/// lengths that keep a user's pieces inline or spill them.
fn text(rng: &mut fastrand::Rng) -> String {
    const SPECIAL: [char; 10] = ['"', '\\', '/', ' ', '\u{7f}', 'é', '日', '😀', '\u{2028}', '\u{fffd}'];
    let len = rng.usize(0..40);
    (0..len)
        .map(|_| match rng.u8(0..4) {
            0 => char::from(rng.u8(0..0x20)),
            1 => SPECIAL[rng.usize(..SPECIAL.len())],
            _ => rng.alphanumeric(),
        })
        .collect()
}

fn arc(s: String) -> Arc<str> {
    s.into()
}

fn random_user(rng: &mut fastrand::Rng) -> User {
    let account_type = if rng.bool() { "atlassian".to_string() } else { text(rng) };
    User {
        id: UserId(rng.i64(0..1000)),
        account_id: arc(text(rng)),
        account_type: arc(account_type),
        username: rng.bool().then(|| arc(text(rng))),
        user_key: arc(text(rng)),
        display_name: arc(text(rng)),
        email: arc(text(rng)),
        active: rng.bool(),
        password_hash: None,
        details: Profile {
            position: text(rng),
            department: text(rng),
            location: text(rng),
            phone: text(rng),
            im: text(rng),
            website: text(rng),
            time_zone: if rng.bool() { String::new() } else { text(rng) },
        },
        created_ms: rng.i64(..),
        updated_ms: rng.i64(..),
        last_login_ms: None,
        last_failed_login_ms: None,
    }
}

/// A base URL and its JSON-escaped form, as `AppState` holds them.
fn random_base(rng: &mut fastrand::Rng) -> (String, String) {
    let base = format!("http://{}/wiki", text(rng));
    let mut json = Vec::new();
    escape(&mut json, &base);
    (base, String::from_utf8(json).unwrap())
}

#[test]
fn the_fast_user_writer_writes_exactly_the_serialized_wire_type() {
    let mut rng = fastrand::Rng::with_seed(18);
    for round in 0..3000 {
        let u = random_user(&mut rng);
        let (base, base_json) = random_base(&mut rng);
        let show = rng.bool();
        let mut fast = Vec::new();
        write_user(&mut fast, &user_pieces(&u), &Tails::new(&base_json), show);
        let wire = serde_json::to_vec(&wire_user(&u, &base, show)).unwrap();
        assert_eq!(String::from_utf8(fast).unwrap(), String::from_utf8(wire).unwrap(), "round {round}: {u:?}");
    }
}

#[test]
fn the_fast_group_writer_writes_exactly_the_serialized_wire_type() {
    let mut rng = fastrand::Rng::with_seed(18);
    for round in 0..3000 {
        let g = Group {
            id: GroupId(rng.i64(0..1000)),
            uuid: arc(text(&mut rng)),
            name: arc(text(&mut rng)),
            created_ms: 0,
        };
        let (base, base_json) = random_base(&mut rng);
        let mut fast = Vec::new();
        write_group(&mut fast, &build_group(&g), &base_json);
        let wire = serde_json::to_vec(&wire_group(&g, &base)).unwrap();
        assert_eq!(String::from_utf8(fast).unwrap(), String::from_utf8(wire).unwrap(), "round {round}: {g:?}");
    }
}

#[test]
fn the_usual_account_type_and_status_are_the_fixed_text_around_them() {
    assert_eq!(U1_ATLASSIAN_U2, [U1, ATLASSIAN, U2].concat());
    let tails = Tails::new("https://x.test/wiki");
    assert_eq!(tails.active(), [U6, ACTIVE, tails.link()].concat());
    assert_eq!(tails.link(), [U7, b"https://x.test/wiki", U8].concat());
}

#[test]
fn an_id_holds_a_key_when_the_bytes_are_equal_and_none_is_a_backslash() {
    let naive = |id: &[u8], key: &str| id == key.as_bytes() && !id.contains(&b'\\');
    let base = "712020:3a08a5ff-3fdf-4073-8e45-eadadd246635";
    for len in 0..=base.len() {
        let key = &base[..len];
        assert!(holds(key.as_bytes(), key), "{key}");
        for at in 0..len {
            for b in [b'\\', b'x', b'\x80', 0] {
                let mut id = key.as_bytes().to_vec();
                id[at] = b;
                assert_eq!(holds(&id, key), naive(&id, key), "{key} {at} {b}");
                let both = String::from_utf8_lossy(&id).into_owned();
                assert_eq!(holds(both.as_bytes(), &both), naive(both.as_bytes(), &both), "{both:?}");
            }
        }
        assert!(!holds(key.as_bytes(), base) || len == base.len());
    }
}
