//! Query strings of the admin routes: percent-decoded pairs, every name checked (an unknown
//! parameter is a 400 naming it, rather than silently ignored).

use crate::patch::{bad, BadRequest};

/// The decoded parameters of a query string.
#[derive(Debug, Default)]
pub(crate) struct Query {
    /// Name and value pairs, in order.
    pairs: Vec<(String, String)>,
}

impl Query {
    /// Parses `raw` (the part after `?`), allowing only the parameter names in `known`.
    pub(crate) fn parse(raw: Option<&str>, known: &[&str]) -> Result<Query, BadRequest> {
        let pairs: Vec<(String, String)> =
            form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
        for (name, _) in &pairs {
            if !known.contains(&name.as_str()) {
                return Err(bad(
                    name.as_str(),
                    format!("unknown query parameter (expected {})", known.join(", ")),
                ));
            }
        }
        Ok(Query { pairs })
    }

    /// The last value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `name` as a boolean (`true`/`false`; absent: false).
    pub(crate) fn flag(&self, name: &str) -> Result<bool, BadRequest> {
        match self.get(name) {
            None | Some("false") => Ok(false),
            Some("true") | Some("") => Ok(true),
            Some(other) => Err(bad(
                name,
                format!("expected true or false, found \"{other}\""),
            )),
        }
    }

    /// `name` as a non-negative integer.
    pub(crate) fn number(&self, name: &str) -> Result<Option<u64>, BadRequest> {
        self.get(name)
            .map(|v| {
                v.parse::<u64>()
                    .map_err(|_| bad(name, "expected a non-negative integer"))
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_decoded_and_unknown_ones_refused() {
        let q = Query::parse(
            Some("env=prod&flag=new%20checkout&dryRun=true"),
            &["env", "flag", "dryRun"],
        )
        .unwrap();
        assert_eq!(q.get("flag"), Some("new checkout"));
        assert_eq!(q.flag("dryRun"), Ok(true));
        assert_eq!(q.flag("other"), Ok(false));
        assert_eq!(
            Query::parse(Some("limit=x"), &["limit"])
                .unwrap()
                .number("limit")
                .unwrap_err()
                .field,
            "limit"
        );
        assert_eq!(
            Query::parse(Some("nope=1"), &["limit"]).unwrap_err().field,
            "nope"
        );
        assert!(Query::parse(None, &[]).is_ok());
    }
}
