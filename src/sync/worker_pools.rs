//! Worker pools: static pools created when missing, never updated; dynamic pools skipped (they
//! exist only on Octopus Cloud). The source's default pool stands for the destination's default
//! whatever either is called, and which pool is the default never changes.

use super::{document, PlanContext, Planned, Stage};
use crate::kind::Kind;
use crate::report::Action;
use crate::snapshot::name_of;
use crate::translate::{is_default, Counterpart};
use serde_json::{json, Value};

/// The worker pools stage.
pub struct WorkerPools;

/// The discriminator and the value of the pools octosync creates.
const POOL_TYPE: &str = "WorkerPoolType";
const STATIC: &str = "StaticWorkerPool";
const DYNAMIC: &str = "DynamicWorkerPool";

impl Stage for WorkerPools {
    fn kind(&self) -> Kind {
        Kind::WorkerPool
    }

    fn plan(&self, ctx: &PlanContext<'_>) -> Vec<Planned> {
        ctx.selected(Kind::WorkerPool).map(|src| plan_one(ctx, src)).collect()
    }
}

fn plan_one(ctx: &PlanContext<'_>, src: &Value) -> Planned {
    let name = name_of(src);
    match ctx.translator().counterpart(Kind::WorkerPool, src) {
        Counterpart::Found(dest) => {
            let p = Planned::no_write(
                Kind::WorkerPool,
                name,
                Action::Unchanged,
                "exists on the destination; worker pools are created, never updated",
            )
            .at(document::str_field(dest, "Id"));
            if is_default(src) && is_default(dest) {
                p.note(format!(
                    "the source's default worker pool: it stands for the destination's default '{}' (which pool is the default never changes)",
                    name_of(dest)
                ))
            } else {
                p
            }
        }
        Counterpart::ClaimedDefault(dest) => Planned::no_write(
            Kind::WorkerPool,
            name,
            Action::Skip,
            "its name is that of the destination's default worker pool, which the source's own default already stands for",
        )
        .warnings([format!(
            "not synced: rename '{name}' on the source, or the destination's default '{}', so the two pools can be told apart",
            name_of(dest)
        )])
        .at(document::str_field(dest, "Id")),
        Counterpart::Missing if document::str_field(src, POOL_TYPE) == DYNAMIC => Planned::no_write(
            Kind::WorkerPool,
            name,
            Action::Skip,
            "a dynamic worker pool: dynamic pools exist only on Octopus Cloud, which provides their workers",
        )
        .note(format!(
            "worker type '{}'; if the destination is Octopus Cloud, create the pool there by hand; leave it out of OCTOSYNC_WORKER_POOLS (e.g. '!{name}') to stop this skip being reported",
            document::str_field(src, "WorkerType")
        )),
        Counterpart::Missing => {
            let mut body = document::for_create(src);
            // The destination keeps its own default; a created pool never takes the flag from it.
            if body.get("IsDefault").is_some() {
                body["IsDefault"] = json!(false);
            }
            // Sources from before pool types (2019.6) have none; their pools are all static.
            if document::str_field(&body, POOL_TYPE).is_empty() {
                body[POOL_TYPE] = json!(STATIC);
            }
            Planned::create(ctx, Kind::WorkerPool, name, "missing on the destination", body)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;
    use crate::settings::selector::Selector;
    use crate::snapshot::Snapshot;
    use crate::sync::{order_after_creates, Write};

    fn pool(id: &str, name: &str, default: bool) -> Value {
        json!({"Id": id, "Name": name, "Description": null, "IsDefault": default, "SortOrder": 3,
               "WorkerPoolType": STATIC, "CanAddWorkers": true, "SpaceId": "Spaces-1", "Links": {}})
    }

    fn plan(source: Vec<Value>, destination: Vec<Value>) -> Vec<Planned> {
        let source = Snapshot::from_docs([(Kind::WorkerPool, source)]);
        let destination = Snapshot::from_docs([(Kind::WorkerPool, destination)]);
        let rules = Rules::default();
        let selector = Selector::all();
        let ctx = PlanContext {
            source: &source,
            destination: &destination,
            rules: &rules,
            selector: &selector,
        };
        let mut planned = WorkerPools.plan(&ctx);
        planned.extend(order_after_creates(&ctx, Kind::WorkerPool, &planned));
        planned
    }

    #[test]
    fn a_missing_static_pool_is_created_never_as_the_default_and_ordered_after_the_destinations_own() {
        let mut old = pool("WorkerPools-5", "Legacy", false);
        old.as_object_mut().unwrap().remove(POOL_TYPE);
        let planned = plan(
            vec![pool("WorkerPools-1", "Windows", true), old],
            vec![pool("WorkerPools-8", "Ubuntu", false)],
        );
        let Some(Write::Create { body }) = &planned[0].write else {
            panic!("expected a create: {planned:?}")
        };
        assert_eq!(body["IsDefault"], false);
        assert!(body.get("SortOrder").is_none() && body.get("Id").is_none());
        let Some(Write::Create { body }) = &planned[1].write else {
            panic!("expected a create: {planned:?}")
        };
        assert_eq!(body[POOL_TYPE], STATIC, "a pool from before pool types is static");
        let Some(Write::Reorder { own, created }) = &planned[2].write else {
            panic!("expected the order: {planned:?}")
        };
        assert_eq!(own, &["Ubuntu"]);
        assert_eq!(created, &["Windows", "Legacy"]);
    }

    #[test]
    fn an_existing_pool_is_left_alone_and_the_default_maps_to_the_destinations_default() {
        let planned = plan(
            vec![
                pool("WorkerPools-1", "Default Worker Pool", true),
                pool("WorkerPools-2", "Ubuntu", false),
            ],
            vec![
                pool("WorkerPools-8", "Ubuntu", false),
                pool("WorkerPools-9", "Production pool", true),
            ],
        );
        assert_eq!(planned.len(), 2, "nothing created, nothing ordered: {planned:?}");
        assert!(planned
            .iter()
            .all(|p| p.change.action == Action::Unchanged && p.write.is_none()));
        assert_eq!(planned[0].change.destination_id.as_deref(), Some("WorkerPools-9"));
        assert!(planned[0].change.notes[0].contains("'Production pool'"));
        assert_eq!(planned[1].change.destination_id.as_deref(), Some("WorkerPools-8"));
    }

    #[test]
    fn a_dynamic_pool_is_skipped_with_a_note_unless_the_destination_has_it() {
        let mut dynamic = pool("WorkerPools-3", "Hosted Windows", false);
        dynamic[POOL_TYPE] = json!(DYNAMIC);
        dynamic["WorkerType"] = json!("Windows2019");
        let planned = plan(vec![dynamic.clone()], vec![]);
        assert_eq!(planned.len(), 1);
        assert_eq!(planned[0].change.action, Action::Skip);
        assert!(planned[0].write.is_none());
        assert!(planned[0].change.reason.contains("Octopus Cloud"));
        assert!(planned[0].change.notes[0].contains("Windows2019"));

        let planned = plan(vec![dynamic], vec![pool("WorkerPools-8", "hosted windows", false)]);
        assert_eq!(planned[0].change.action, Action::Unchanged);
    }
}
