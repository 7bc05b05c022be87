//! "did you mean --stack orders?": the one pure rule every command's not-found path uses to
//! point at a stack name the operator probably meant.

/// The candidate closest to `name`, if one is close enough to be a typo or a shortening of it:
/// an edit distance within a third of the name (at least 1, at most 3), a different case, or
/// one name inside the other (`orders` for `orders-relay`). Ties go to the first by name, so
/// the hint never changes between runs. `name` itself is never suggested.
pub fn did_you_mean(name: &str, candidates: &[String]) -> Option<String> {
    let wanted = name.to_ascii_lowercase();
    let mut best: Option<(usize, &String)> = None;
    for candidate in candidates {
        if candidate == name || candidate.is_empty() {
            continue;
        }
        let other = candidate.to_ascii_lowercase();
        let distance = edit_distance(&wanted, &other);
        let limit = (wanted.chars().count() / 3).clamp(1, 3);
        let (short, long) = if wanted.len() <= other.len() {
            (&wanted, &other)
        } else {
            (&other, &wanted)
        };
        let inside = short.len() >= 3 && long.contains(short.as_str());
        if distance > limit && !inside {
            continue;
        }
        let better = match best {
            None => true,
            Some((d, c)) => distance < d || (distance == d && candidate < c),
        };
        if better {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c.clone())
}

/// Levenshtein distance over characters (names are short: the quadratic table is fine).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(above + 1)
                .min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_typo_points_at_the_stack_it_was_meant_for() {
        let known = names(&["orders", "payments", "event-relay-app"]);
        assert_eq!(did_you_mean("ordres", &known).as_deref(), Some("orders"));
        assert_eq!(did_you_mean("order", &known).as_deref(), Some("orders"));
        assert_eq!(did_you_mean("Orders", &known).as_deref(), Some("orders"));
        assert_eq!(did_you_mean("paymnts", &known).as_deref(), Some("payments"));
        assert_eq!(
            did_you_mean("event-relay-ap", &known).as_deref(),
            Some("event-relay-app")
        );
    }

    #[test]
    fn a_shortened_or_suffixed_name_counts_as_close() {
        let known = names(&["orders-relay"]);
        assert_eq!(
            did_you_mean("orders", &known).as_deref(),
            Some("orders-relay")
        );
        assert_eq!(
            did_you_mean("orders-relay-prod", &known).as_deref(),
            Some("orders-relay")
        );
        // Two letters inside a long name are a coincidence, not a shortening.
        assert_eq!(did_you_mean("or", &known), None);
    }

    #[test]
    fn nothing_close_means_no_suggestion() {
        let known = names(&["orders", "payments"]);
        assert_eq!(did_you_mean("billing", &known), None);
        assert_eq!(did_you_mean("x", &known), None);
        assert_eq!(
            did_you_mean("orders", &names(&["orders"])),
            None,
            "not itself"
        );
        assert_eq!(did_you_mean("orders", &[]), None);
    }

    #[test]
    fn the_closest_wins_and_ties_go_by_name() {
        let known = names(&["ordersb", "ordersa", "ordrs"]);
        assert_eq!(did_you_mean("orders", &known).as_deref(), Some("ordersa"));
        let known = names(&["cycle-2", "cycle"]);
        assert_eq!(did_you_mean("cycl", &known).as_deref(), Some("cycle"));
    }

    #[test]
    fn edit_distance_counts_insertions_deletions_and_substitutions() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("orders", "orders"), 0);
    }
}
