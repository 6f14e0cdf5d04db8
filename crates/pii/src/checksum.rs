//! Check-digit algorithms behind the validators, one function per published rule.
//!
//! Every function takes the number in its compact form (no spaces, dots or dashes) and returns
//! `false`, never panics, for input of the wrong length or alphabet. The functions are public
//! so that configured recognisers can name a checksum instead of reimplementing one.

/// The decimal value of each byte, or `None` if any is not an ASCII digit.
fn digits(number: &str) -> Option<Vec<u32>> {
    number
        .bytes()
        .map(|b| b.is_ascii_digit().then(|| u32::from(b - b'0')))
        .collect()
}

/// The sum of the decimal digits of `n` (its Quersumme).
fn cross_sum(mut n: u32) -> u32 {
    let mut sum = 0;
    while n > 0 {
        sum += n % 10;
        n /= 10;
    }
    sum
}

/// The Luhn (mod 10) check used by payment cards (ISO/IEC 7812-1): the check digit is last.
pub fn luhn(number: &str) -> bool {
    let Some(ds) = digits(number) else {
        return false;
    };
    if ds.len() < 2 {
        return false;
    }
    let sum: u32 = ds
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| if i % 2 == 1 { cross_sum(d * 2) } else { *d })
        .sum();
    sum.is_multiple_of(10)
}

/// The ISO 7064 MOD 11,10 check digit for `body` (digits only), or `None` if it has a
/// non-digit.
pub fn iso7064_mod11_10_check_digit(body: &str) -> Option<u32> {
    let ds = digits(body)?;
    let mut product = 10;
    for d in ds {
        let mut sum = (d + product) % 10;
        if sum == 0 {
            sum = 10;
        }
        product = (sum * 2) % 11;
    }
    Some((11 - product) % 10)
}

/// Whether the last digit of `number` is its ISO 7064 MOD 11,10 check digit (German Steuer-ID
/// and USt-IdNr).
pub fn iso7064_mod11_10(number: &str) -> bool {
    let Some((body, check)) = split_last_digit(number) else {
        return false;
    };
    iso7064_mod11_10_check_digit(body) == Some(check)
}

fn split_last_digit(number: &str) -> Option<(&str, u32)> {
    let last = *number.as_bytes().last()?;
    if number.len() < 2 || !last.is_ascii_digit() {
        return None;
    }
    Some((&number[..number.len() - 1], u32::from(last - b'0')))
}

/// Whether `number` (nine digits) passes the 11-proef of the Dutch BSN: weights 9 down to 2,
/// and −1 for the last digit, summing to a multiple of 11. All zeros is not a number.
pub fn nl_bsn_11proef(number: &str) -> bool {
    let Some(ds) = digits(number) else {
        return false;
    };
    if ds.len() != 9 || ds.iter().all(|d| *d == 0) {
        return false;
    }
    let weighted: i64 = ds[..8]
        .iter()
        .zip((2..=9).rev())
        .map(|(d, w)| i64::from(*d) * w)
        .sum::<i64>()
        - i64::from(ds[8]);
    weighted.rem_euclid(11) == 0
}

/// Whether `number` (ten digits) passes the old CPR modulus-11 check: weights
/// 4, 3, 2, 7, 6, 5, 4, 3, 2, 1. Not required since 2007, when the serials ran out.
pub fn dk_cpr_mod11(number: &str) -> bool {
    weighted_mod11(number, &[4, 3, 2, 7, 6, 5, 4, 3, 2, 1])
}

/// Whether `number` (ten digits) passes the NHS number's modulus-11 check: weights 10 down
/// to 2 over the first nine digits, check digit `11 − (sum mod 11)` (11 is written 0, 10 is
/// never issued), which is the same as the weighted sum with weight 1 for the check digit
/// being a multiple of 11.
pub fn gb_nhs_mod11(number: &str) -> bool {
    weighted_mod11(number, &[10, 9, 8, 7, 6, 5, 4, 3, 2, 1])
}

/// Whether `number` (eight digits) passes the Danish CVR/SE modulus-11 check: weights
/// 2, 7, 6, 5, 4, 3, 2, 1.
pub fn dk_cvr_mod11(number: &str) -> bool {
    weighted_mod11(number, &[2, 7, 6, 5, 4, 3, 2, 1])
}

fn weighted_mod11(number: &str, weights: &[u32]) -> bool {
    let Some(ds) = digits(number) else {
        return false;
    };
    ds.len() == weights.len()
        && ds
            .iter()
            .zip(weights)
            .map(|(d, w)| d * w)
            .sum::<u32>()
            .is_multiple_of(11)
}

/// Whether `code` (ASCII letters and digits) passes ISO 7064 MOD 97-10, letters counting
/// A = 10 … Z = 35: the remainder of the whole number modulo 97 is 1. The Dutch btw-id
/// issued since 2020 is checked this way, on `NL` followed by the number.
pub fn iso7064_mod97_10(code: &str) -> bool {
    let mut remainder: u32 = 0;
    for c in code.chars() {
        let Some(value) = c.to_digit(36) else {
            return false;
        };
        remainder = if value < 10 {
            (remainder * 10 + value) % 97
        } else {
            (remainder * 100 + value) % 97
        };
    }
    !code.is_empty() && remainder == 1
}

/// The position of an ASCII letter in the alphabet, A = 1 … Z = 26, ignoring case.
fn letter_position(c: u8) -> Option<u32> {
    c.is_ascii_alphabetic()
        .then(|| u32::from(c.to_ascii_uppercase() - b'A') + 1)
}

/// Whether `number` (12 characters: 8 digits, a letter, 3 digits) has the check digit of the
/// German Rentenversicherungsnummer: the letter becomes its two-digit position (A = 01), the
/// 12 digits before the check are weighted 2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1, the cross sums
/// of the products are added, and the total modulo 10 is the check digit.
pub fn de_svnr_check(number: &str) -> bool {
    let b = number.as_bytes();
    if b.len() != 12 || !b[..8].iter().chain(&b[9..]).all(u8::is_ascii_digit) {
        return false;
    }
    let Some(letter) = letter_position(b[8]) else {
        return false;
    };
    let mut ds: Vec<u32> = b[..8].iter().map(|d| u32::from(d - b'0')).collect();
    ds.extend([letter / 10, letter % 10]);
    ds.extend(b[9..11].iter().map(|d| u32::from(d - b'0')));
    let weights = [2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1];
    let sum: u32 = ds.iter().zip(weights).map(|(d, w)| cross_sum(d * w)).sum();
    sum % 10 == u32::from(b[11] - b'0')
}

/// Whether `number` (a letter and nine digits) has the check digit of the German
/// Krankenversichertennummer (§ 290 SGB V): the letter becomes its two-digit position
/// (A = 01), the ten digits before the check are weighted 1, 2, 1, 2, …, the cross sums of
/// the products are added, and the total modulo 10 is the check digit.
pub fn de_kvnr_check(number: &str) -> bool {
    let b = number.as_bytes();
    if b.len() != 10 || !b[1..].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let Some(letter) = letter_position(b[0]) else {
        return false;
    };
    let mut ds = vec![letter / 10, letter % 10];
    ds.extend(b[1..9].iter().map(|d| u32::from(d - b'0')));
    let sum: u32 = ds
        .iter()
        .enumerate()
        .map(|(i, d)| cross_sum(d * if i % 2 == 0 { 1 } else { 2 }))
        .sum();
    sum % 10 == u32::from(b[9] - b'0')
}

/// The digit rule of the German Steuer-ID over its first ten digits, as in force since 2016:
/// exactly one digit occurs twice or three times, every other digit at most once, and a digit
/// that occurs three times never does so in three adjacent places.
pub fn de_tax_id_digit_rule(number: &str) -> bool {
    let Some(ds) = digits(number) else {
        return false;
    };
    if ds.len() < 10 {
        return false;
    }
    let first = &ds[..10];
    let mut counts = [0u8; 10];
    for d in first {
        counts[*d as usize] += 1;
    }
    let repeated: Vec<usize> = (0..10).filter(|d| counts[*d] > 1).collect();
    match repeated.as_slice() {
        [d] if counts[*d] == 2 => true,
        [d] if counts[*d] == 3 => !first
            .windows(3)
            .any(|w| w.iter().all(|x| *x as usize == *d)),
        _ => false,
    }
}

/// The ICAO 9303 check digit (weights 7, 3, 1 repeating; digits count as themselves, letters
/// A = 10 … Z = 35, the filler `<` as 0) of `field`, or `None` for any other character.
pub fn icao9303_check_digit(field: &str) -> Option<u32> {
    let mut sum = 0;
    for (c, w) in field.chars().zip([7, 3, 1].into_iter().cycle()) {
        let value = if c == '<' {
            0
        } else if c.is_ascii_alphanumeric() {
            c.to_ascii_uppercase().to_digit(36)?
        } else {
            return None;
        };
        sum += value * w;
    }
    Some(sum % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_accepts_published_test_numbers_and_rejects_one_digit_off() {
        for valid in [
            "79927398713",
            "4111111111111111",
            "5555555555554444",
            "378282246310005",
            "6011111111111117",
        ] {
            assert!(luhn(valid), "{valid}");
        }
        for invalid in [
            "79927398710",
            "4111111111111112",
            "",
            "7",
            "4111a11111111111",
        ] {
            assert!(!luhn(invalid), "{invalid}");
        }
    }

    #[test]
    fn mod11_10_matches_published_steuer_ids_and_vat_numbers() {
        // Steuer-IDs from python-stdnum's documentation and the ELSTER examples; a German
        // USt-IdNr from the same documentation.
        for valid in ["36574261809", "86095742719", "136695976"] {
            assert!(iso7064_mod11_10(valid), "{valid}");
        }
        for invalid in ["36574261890", "86095742718", "136695978", "1", ""] {
            assert!(!iso7064_mod11_10(invalid), "{invalid}");
        }
        assert_eq!(iso7064_mod11_10_check_digit("3657426180"), Some(9));
        assert_eq!(iso7064_mod11_10_check_digit("12a"), None);
    }

    #[test]
    fn bsn_11proef() {
        for valid in ["111222333", "123456782", "004495445"] {
            assert!(nl_bsn_11proef(valid), "{valid}");
        }
        for invalid in [
            "111252333",
            "123456789",
            "000000000",
            "11122233",
            "1112223334",
        ] {
            assert!(!nl_bsn_11proef(invalid), "{invalid}");
        }
    }

    #[test]
    fn cpr_and_cvr_mod11() {
        assert!(dk_cpr_mod11("2110625629"));
        assert!(dk_cpr_mod11("0707614285"));
        assert!(!dk_cpr_mod11("0707614286"));
        assert!(dk_cvr_mod11("13585628"));
        assert!(!dk_cvr_mod11("13585627"));
        assert!(!dk_cvr_mod11("1358562"));
    }

    #[test]
    fn mod97_10_matches_the_2020_dutch_btw_id_and_ibans() {
        // The Belastingdienst's example of a btw-id issued since 2020.
        assert!(iso7064_mod97_10("NL000099998B57"));
        assert!(!iso7064_mod97_10("NL000099998B58"));
        // An IBAN moved to check-last order is the same algorithm.
        assert!(iso7064_mod97_10("370400440532013000DE89"));
        assert!(!iso7064_mod97_10(""));
        assert!(!iso7064_mod97_10("NL-1"));
    }

    #[test]
    fn svnr_check_digit() {
        assert!(de_svnr_check("65170839J003"));
        assert!(de_svnr_check("12150385M003"));
        assert!(!de_svnr_check("12150385M001"));
        assert!(
            de_svnr_check("12150385m003"),
            "the letter's case does not matter"
        );
        assert!(!de_svnr_check("65170839J004"));
        assert!(!de_svnr_check("65170839J00"));
        assert!(!de_svnr_check("651708391003"));
    }

    #[test]
    fn kvnr_check_digit_matches_gematiks_test_numbers() {
        for valid in [
            "A000500015",
            "K220645122",
            "T012345678",
            "C000500021",
            "A123456780",
            "Q123456784",
            "Z123456783",
        ] {
            assert!(de_kvnr_check(valid), "{valid}");
        }
        for invalid in [
            "K220645129",
            "T012345679",
            "A005000112",
            "Q123456781",
            "1220645129",
        ] {
            assert!(!de_kvnr_check(invalid), "{invalid}");
        }
    }

    #[test]
    fn steuer_ids_from_the_elster_documentation_pass_both_rules() {
        // "Prüfung der Steuer- und Steueridentifikationsnummer" (ELSTER): one digit twice, or
        // (since 2016) one digit three times, two of them adjacent at most.
        for valid in [
            "86095742719",
            "47036892816",
            "65929970489",
            "57549285017",
            "25768131411",
        ] {
            assert!(de_tax_id_digit_rule(valid), "{valid}");
            assert!(iso7064_mod11_10(valid), "{valid}");
        }
        for (invalid, why) in [
            ("11123456786", "three adjacent"),
            ("11223456785", "two digits twice"),
            ("11212234562", "two digits three times"),
            ("11012134569", "one digit four times"),
            ("98765432106", "no digit repeated"),
        ] {
            assert!(!de_tax_id_digit_rule(invalid), "{invalid}: {why}");
            assert!(
                iso7064_mod11_10(invalid),
                "{invalid} must fail on the digit rule alone"
            );
        }
    }

    #[test]
    fn steuer_id_digit_rule() {
        assert!(de_tax_id_digit_rule("36574261809"), "6 twice");
        assert!(de_tax_id_digit_rule("86095742719"), "7 twice");
        assert!(de_tax_id_digit_rule("12131456789"), "1 three times, apart");
        assert!(
            de_tax_id_digit_rule("11213456789"),
            "two of three adjacent is allowed"
        );
        assert!(!de_tax_id_digit_rule("11123456789"), "three adjacent");
        assert!(
            !de_tax_id_digit_rule("36554266806"),
            "more than one digit repeated"
        );
        assert!(!de_tax_id_digit_rule("12345678901"), "no digit repeated");
        assert!(!de_tax_id_digit_rule("11112345678"), "a digit four times");
    }

    #[test]
    fn icao_check_digit_matches_the_specimen_documents() {
        // The specimen Personalausweis (2010) and Reisepass ("Erika Mustermann") serials.
        assert_eq!(icao9303_check_digit("T22000129"), Some(3));
        assert_eq!(icao9303_check_digit("L01X00T47"), Some(1));
        assert_eq!(icao9303_check_digit("C01X00T47"), Some(8));
        assert_eq!(icao9303_check_digit("640812"), Some(5));
        assert_eq!(icao9303_check_digit("ÄB"), None);
    }
}
