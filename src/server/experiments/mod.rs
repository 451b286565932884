//! Experiments and guarded rollouts, from the counts that [`events`](crate::events) keeps:
//! results per variant against a control ([`results`]), the rollout whose weights the units
//! should follow ([`weights`]), rollout plans that advance or roll back by themselves and
//! automatic kill switches ([`guards`]).

pub(crate) mod guards;
pub(crate) mod plan;
pub(crate) mod results;
pub(crate) mod weights;
