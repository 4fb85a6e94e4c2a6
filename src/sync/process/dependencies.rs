//! The order projects' processes are synced in: a project whose process deploys a release of
//! another ("Deploy a release" steps) comes after that project, so a child is always synced before
//! its parent. Projects whose steps deploy each other in a circle cannot be ordered; each of them
//! is an error naming the circle.

use super::outline::Outline;
use crate::snapshot::id_of;
use serde_json::Value;

/// The property of a "Deploy a release" action naming the project it deploys.
pub const DEPLOY_RELEASE_PROJECT: &str = "Octopus.Action.DeployRelease.ProjectId";

/// The project ids `process`'s "Deploy a release" actions deploy, in the order they appear.
pub fn deployed_projects(process: &Outline) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for project in process.actions().filter_map(|a| a.deployed_project()) {
        if !out.iter().any(|o| o == project) {
            out.push(project.to_string());
        }
    }
    out
}

/// The projects in an order where each comes after those it deploys, and the circles that make
/// that impossible (each as the projects around it, first one repeated at the end). `deploys[i]`
/// holds the ids project `projects[i]` deploys; ids of projects not in `projects` are ignored.
/// Projects in no circle keep their relative order where nothing forces another.
pub fn order(projects: &[&Value], deploys: &[Vec<String>]) -> (Vec<usize>, Vec<Vec<usize>>) {
    let index = |id: &str| projects.iter().position(|p| id_of(p) == id);
    let edges: Vec<Vec<usize>> = deploys
        .iter()
        .map(|ids| ids.iter().filter_map(|id| index(id)).collect())
        .collect();
    let mut placed = vec![false; projects.len()];
    let mut ordered = Vec::new();
    // Repeatedly place, in the given order, the first project whose dependencies are all placed.
    while let Some(next) = (0..projects.len()).find(|&i| !placed[i] && edges[i].iter().all(|&j| placed[j])) {
        placed[next] = true;
        ordered.push(next);
    }
    let mut circles: Vec<Vec<usize>> = Vec::new();
    for start in (0..projects.len()).filter(|&i| !placed[i]) {
        if circles.iter().any(|c| c.contains(&start)) {
            continue;
        }
        if let Some(circle) = circle_through(start, &edges, &placed) {
            circles.push(circle);
        }
    }
    // A project that only depends on a circle is not in one: it is synced after the rest.
    let behind: Vec<usize> = (0..projects.len())
        .filter(|&i| !placed[i] && !circles.iter().any(|c| c.contains(&i)))
        .collect();
    ordered.extend(behind);
    (ordered, circles)
}

/// A path from `start` back to itself through unplaced projects, if there is one.
fn circle_through(start: usize, edges: &[Vec<usize>], placed: &[bool]) -> Option<Vec<usize>> {
    let mut path = vec![start];
    let mut seen = vec![false; edges.len()];
    fn walk(
        at: usize,
        start: usize,
        edges: &[Vec<usize>],
        placed: &[bool],
        seen: &mut [bool],
        path: &mut Vec<usize>,
    ) -> bool {
        for &next in &edges[at] {
            if placed[next] {
                continue;
            }
            if next == start {
                path.push(start);
                return true;
            }
            if !seen[next] {
                seen[next] = true;
                path.push(next);
                if walk(next, start, edges, placed, seen, path) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    walk(start, start, edges, placed, &mut seen, &mut path).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn outline(deploys: &[&str]) -> Outline {
        serde_json::from_value(process(deploys)).unwrap()
    }

    fn process(deploys: &[&str]) -> Value {
        json!({"Steps": [{"Name": "Deploy", "Actions": deploys.iter().map(|p| json!({
            "Name": format!("Deploy {p}"), "ActionType": "Octopus.DeployRelease",
            "Properties": {DEPLOY_RELEASE_PROJECT: p}})).collect::<Vec<_>>()},
            {"Name": "Script", "Actions": [{"Name": "Run", "Properties": {}}]}]})
    }

    fn projects(n: usize) -> Vec<Value> {
        (1..=n).map(|i| json!({"Id": format!("Projects-{i}")})).collect()
    }

    #[test]
    fn a_parent_comes_after_every_child_it_deploys_whatever_the_source_order() {
        let ps = projects(4);
        let refs: Vec<&Value> = ps.iter().collect();
        // 1 deploys 3 and 2; 2 deploys 4.
        let deploys = vec![
            deployed_projects(&outline(&["Projects-3", "Projects-2"])),
            deployed_projects(&outline(&["Projects-4"])),
            vec![],
            vec![],
        ];
        let (ordered, circles) = order(&refs, &deploys);
        assert!(circles.is_empty());
        let at = |i: usize| ordered.iter().position(|&x| x == i).unwrap();
        assert!(at(2) < at(0) && at(1) < at(0) && at(3) < at(1), "{ordered:?}");
        assert_eq!(ordered.len(), 4);
    }

    #[test]
    fn projects_deploying_each_other_in_a_circle_are_named_and_the_rest_still_ordered() {
        let ps = projects(4);
        let refs: Vec<&Value> = ps.iter().collect();
        // 1 → 2 → 3 → 1; 4 deploys 1 (behind the circle, not in it).
        let deploys = vec![
            vec!["Projects-2".to_string()],
            vec!["Projects-3".to_string()],
            vec!["Projects-1".to_string()],
            vec!["Projects-1".to_string(), "Projects-99".to_string()],
        ];
        let (ordered, circles) = order(&refs, &deploys);
        assert_eq!(circles, vec![vec![0, 1, 2, 0]]);
        assert_eq!(ordered, vec![3], "the project behind the circle is still synced");
    }

    #[test]
    fn a_project_deploying_itself_is_a_circle_of_one() {
        let ps = projects(1);
        let (ordered, circles) = order(&[&ps[0]], &[vec!["Projects-1".to_string()]]);
        assert!(ordered.is_empty());
        assert_eq!(circles, vec![vec![0, 0]]);
    }
}
