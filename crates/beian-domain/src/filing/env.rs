//! What `decide` may consult besides the filing: the time, the actor, the policy, the
//! calendar and the reference data. Apart from the vocabulary in `model`, so that the policy
//! (which names retention periods by kind and status) does not import its own importer.

use crate::calendar::Calendar;
use crate::filing::model::{Actor, Time};
use crate::policy::Policy;
use crate::reference::ReferenceData;

/// Everything `decide` may consult besides the filing itself.
#[derive(Debug, Clone, Copy)]
pub struct Env<'a> {
    pub now: Time,
    pub actor: &'a Actor,
    pub policy: &'a Policy,
    pub calendar: &'a Calendar,
    /// Enumerations, province pack, regions and name lists that validation reads.
    pub reference: &'a ReferenceData,
    /// The key SMS codes are hashed under (derived from the master key, which never sits
    /// in the database), so a copy of the database cannot try the million codes.
    pub code_key: &'a [u8],
}
