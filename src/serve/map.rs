//! The city map of the teacher's screen: one compact summary per territorial unit — open
//! issues (backlog), residents and their mean trust in government — at the finest level that
//! stays drawable.
//!
//! The territory is regular (every district has the same number of streets, every street of
//! communities, every community of grids), so the page can lay the units out from their shape
//! alone: unit `i` at a level is child `i % n` of unit `i / n` of the level above. A large
//! city is summed up to communities, streets or districts so that at most `MAX_UNITS` cells
//! are sent; the one-to-one city (16,800 grids, 5,600 communities) is drawn by street. It
//! reads the model's state and changes nothing.

use serde_json::{json, Value};

use crate::model::Simulation;

/// Most cells the map sends a week (a canvas draws a few thousand cells at once with ease; the
/// JSON stays around 60 kB).
pub const MAX_UNITS: usize = 2500;

/// The levels below the city, coarsest first, with their names in both languages.
pub const LEVELS: [(&str, &str, &str); 4] = [
    ("district", "districts", "区县"),
    ("street", "streets", "街道/乡镇"),
    ("community", "communities", "社区/村"),
    ("grid", "grids", "网格"),
];

/// One unit's sums.
#[derive(Clone, Copy, Default, Debug, PartialEq)]
struct Cell {
    backlog: u32,
    residents: f64,
    trust: f64,
}

/// This week's map as a `map` message for the page.
pub fn city_map(sim: &Simulation) -> Value {
    let t = &sim.params.territory;
    let fan_out = [
        t.districts as usize,
        t.streets_per_district as usize,
        t.communities_per_street as usize,
        t.grids_per_community as usize,
    ];
    // The finest level whose number of units can be drawn.
    let mut depth = 1;
    while depth < fan_out.len() && fan_out[..=depth].iter().product::<usize>() <= MAX_UNITS {
        depth += 1;
    }
    let shape = &fan_out[..depth];
    // Grids below one unit at `depth`.
    let grids_per_cell: usize = fan_out[depth..].iter().product();
    let base = sim.params.residents.initial_trust;
    let mut cells = vec![Cell::default(); shape.iter().product()];
    let world = &sim.world;
    for d in &world.districts {
        let first = d.index as usize * d.layout.n_grids as usize;
        for g in 0..d.layout.n_grids as usize {
            let pop = d.grid_population(g as u32) as f64;
            let c = &mut cells[(first + g) / grids_per_cell];
            c.residents += pop;
            // As the weekly trust column measures it (`model::tick::district_close`).
            c.trust += (base * pop + d.grid_trust_deviation[g]).clamp(0.0, pop);
        }
        for i in &d.issues {
            cells[(first + i.grid as usize) / grids_per_cell].backlog += 1;
        }
    }
    for i in &world.city.issues {
        if let Some(d) = world.districts.get(i.district as usize) {
            let g = d.index as usize * d.layout.n_grids as usize + i.grid as usize;
            cells[g / grids_per_cell].backlog += 1;
        }
    }
    let (level, en, zh) = LEVELS[depth - 1];
    json!({
        "type": "map",
        "week": sim.tick,
        "level": level,
        "level_en": en,
        "level_zh": zh,
        "shape": shape,
        "backlog": cells.iter().map(|c| c.backlog).collect::<Vec<_>>(),
        "residents": cells.iter().map(|c| c.residents).collect::<Vec<_>>(),
        // Three decimals are more than a colour can show.
        "trust": cells.iter().map(|c| if c.residents > 0.0 { (1000.0 * c.trust / c.residents).round() / 1000.0 } else { 0.0 }).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::params::{ParamValue, Params};

    fn sim(districts: i64, streets: i64, communities: i64, grids: i64) -> Simulation {
        let mut p = Params::default();
        for (k, v) in [
            ("territory.districts", districts),
            ("territory.streets_per_district", streets),
            ("territory.communities_per_street", communities),
            ("territory.grids_per_community", grids),
            ("territory.residents_per_grid", 20),
        ] {
            p.set(k, ParamValue::Int(v)).unwrap();
        }
        let mut s = Simulation::new(p, 7, Vec::new());
        for _ in 0..3 {
            s.step();
        }
        s
    }

    #[test]
    fn the_map_counts_every_open_issue_and_resident_once() {
        let s = sim(2, 3, 2, 2);
        let m = city_map(&s);
        assert_eq!(m["level"], "grid");
        assert_eq!(m["shape"], json!([2, 3, 2, 2]));
        let backlog: u64 = m["backlog"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .sum();
        let open = s.world.city.issues.len()
            + s.world
                .districts
                .iter()
                .map(|d| d.issues.len())
                .sum::<usize>();
        assert_eq!(backlog as usize, open);
        let residents: f64 = m["residents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .sum();
        let all: usize = s.world.districts.iter().map(|d| d.residents.len()).sum();
        assert_eq!(residents as usize, all);
        for t in m["trust"].as_array().unwrap() {
            assert!((0.0..=1.0).contains(&t.as_f64().unwrap()), "{t}");
        }
    }

    #[test]
    fn a_large_city_is_summed_to_a_drawable_level() {
        // 2 × 40 × 40 = 3,200 communities: too many, so streets (80).
        let s = sim(2, 40, 40, 1);
        let m = city_map(&s);
        assert_eq!(m["level"], "street");
        assert_eq!(m["shape"], json!([2, 40]));
        assert_eq!(m["backlog"].as_array().unwrap().len(), 80);
    }
}
