//! Every model parameter, defined once.
//!
//! The `define_params!` table below is the single source of truth: it generates the typed
//! `Params` struct the model reads, the defaults, the accepted ranges, and the bilingual
//! descriptions that `cogov params` prints and `docs/ODD.md` is checked against. A parameter
//! that is not in this table cannot be set, and one that is here cannot go undocumented.
//!
//! Units: one tick is one week; "effort units" (eu) are person-weeks of work; shares and
//! lever intensities are in 0..=1 unless a range says otherwise.

use std::fmt;
use std::sync::OnceLock;

/// A parameter value as read from a scenario file, a manifest or `--set`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ParamValue {
    Float(f64),
    Int(i64),
    Bool(bool),
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Float(x) => write!(f, "{x}"),
            ParamValue::Int(i) => write!(f, "{i}"),
            ParamValue::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// What kind of value a parameter takes; used in error messages and `cogov params`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    Float,
    Integer,
    Bool,
}

impl ParamKind {
    pub fn name(self) -> &'static str {
        match self {
            ParamKind::Float => "number",
            ParamKind::Integer => "integer",
            ParamKind::Bool => "boolean",
        }
    }
}

/// Whether an intervention may change the parameter during a run. Structural parameters
/// fix the size of the city and its populations, so they only take effect at set-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mutability {
    Structural,
    Dynamic,
}

/// Metadata of one parameter.
#[derive(Clone, Debug)]
pub struct ParamSpec {
    /// Dotted TOML key, e.g. `motivation.incentive_compatibility`.
    pub key: &'static str,
    pub kind: ParamKind,
    pub default: ParamValue,
    pub min: f64,
    pub max: f64,
    pub unit: &'static str,
    pub mutability: Mutability,
    /// MODEL.md / seed section the parameter belongs to (e.g. "2.1"), or "" for technical ones.
    pub seed_section: &'static str,
    pub en: &'static str,
    pub zh: &'static str,
}

impl ParamSpec {
    /// "0..=1", "1..=64" or "true/false", as shown in errors and `cogov params`.
    pub fn range_text(&self) -> String {
        match self.kind {
            ParamKind::Bool => "true or false".to_string(),
            ParamKind::Integer => format!("{}..={}", self.min as i64, self.max as i64),
            ParamKind::Float => format!("{}..={}", self.min, self.max),
        }
    }
}

/// Why a value could not be assigned to a key.
#[derive(Clone, Debug, PartialEq)]
pub enum SetError {
    UnknownKey,
    WrongType { expected: &'static str },
    OutOfRange { range: String },
    NotFinite,
}

/// Conversion between `ParamValue` and a field's Rust type, with the range check.
pub trait ParamType: Sized + Copy {
    const KIND: ParamKind;
    fn to_value(self) -> ParamValue;
    fn from_value(v: ParamValue, min: f64, max: f64) -> Result<Self, SetError>;
}

fn range_error(kind: ParamKind, min: f64, max: f64) -> SetError {
    let range = match kind {
        ParamKind::Integer => format!("{}..={}", min as i64, max as i64),
        _ => format!("{min}..={max}"),
    };
    SetError::OutOfRange { range }
}

impl ParamType for f64 {
    const KIND: ParamKind = ParamKind::Float;
    fn to_value(self) -> ParamValue {
        ParamValue::Float(self)
    }
    fn from_value(v: ParamValue, min: f64, max: f64) -> Result<Self, SetError> {
        let x = match v {
            ParamValue::Float(x) => x,
            ParamValue::Int(i) => i as f64,
            ParamValue::Bool(_) => return Err(SetError::WrongType { expected: "number" }),
        };
        if !x.is_finite() {
            return Err(SetError::NotFinite);
        }
        if x < min || x > max {
            return Err(range_error(Self::KIND, min, max));
        }
        Ok(x)
    }
}

impl ParamType for u32 {
    const KIND: ParamKind = ParamKind::Integer;
    fn to_value(self) -> ParamValue {
        ParamValue::Int(self as i64)
    }
    fn from_value(v: ParamValue, min: f64, max: f64) -> Result<Self, SetError> {
        let i = match v {
            ParamValue::Int(i) => i,
            // 4.0 is accepted as 4 so that values round-tripped through JSON keep working.
            ParamValue::Float(x) if x.is_finite() && x.fract() == 0.0 && x.abs() < 9.0e15 => {
                x as i64
            }
            _ => {
                return Err(SetError::WrongType {
                    expected: "integer",
                })
            }
        };
        if (i as f64) < min || (i as f64) > max {
            return Err(range_error(Self::KIND, min, max));
        }
        Ok(i as u32)
    }
}

impl ParamType for bool {
    const KIND: ParamKind = ParamKind::Bool;
    fn to_value(self) -> ParamValue {
        ParamValue::Bool(self)
    }
    fn from_value(v: ParamValue, _min: f64, _max: f64) -> Result<Self, SetError> {
        match v {
            ParamValue::Bool(b) => Ok(b),
            _ => Err(SetError::WrongType {
                expected: "boolean (true or false)",
            }),
        }
    }
}

macro_rules! define_params {
    ( $(
        $(#[doc = $sdoc:expr])*
        $section:ident : $Section:ident {
            $( $field:ident : $ty:ty = $default:expr ; [$lo:expr, $hi:expr] $unit:expr ; $mutability:ident ; $seed:expr ;
               en $en:expr ; zh $zh:expr ; )*
        }
    )* ) => {
        $(
            $(#[doc = $sdoc])*
            #[derive(Clone, Debug, PartialEq)]
            pub struct $Section { $( pub $field: $ty, )* }

            impl Default for $Section {
                fn default() -> Self { Self { $( $field: $default, )* } }
            }
        )*

        /// The whole validated parameter set of a run.
        #[derive(Clone, Debug, PartialEq, Default)]
        pub struct Params { $( pub $section: $Section, )* }

        /// Section names in table order (for grouped output).
        pub const SECTIONS: &[&str] = &[ $( stringify!($section), )* ];

        /// All parameter specifications, in table order.
        pub fn param_specs() -> &'static [ParamSpec] {
            static SPECS: OnceLock<Vec<ParamSpec>> = OnceLock::new();
            SPECS.get_or_init(|| vec![ $( $(
                ParamSpec {
                    key: concat!(stringify!($section), ".", stringify!($field)),
                    kind: <$ty as ParamType>::KIND,
                    default: <$ty as ParamType>::to_value($default),
                    min: $lo as f64,
                    max: $hi as f64,
                    unit: $unit,
                    mutability: Mutability::$mutability,
                    seed_section: $seed,
                    en: $en,
                    zh: $zh,
                },
            )* )* ])
        }

        impl Params {
            /// Assigns `value` to the dotted `key`, checking type and range.
            pub fn set(&mut self, key: &str, value: ParamValue) -> Result<(), SetError> {
                match key {
                    $( $( concat!(stringify!($section), ".", stringify!($field)) => {
                        self.$section.$field = <$ty as ParamType>::from_value(value, $lo as f64, $hi as f64)?;
                        Ok(())
                    } )* )*
                    _ => Err(SetError::UnknownKey),
                }
            }

            /// Reads the dotted `key`.
            pub fn get(&self, key: &str) -> Option<ParamValue> {
                match key {
                    $( $( concat!(stringify!($section), ".", stringify!($field)) =>
                        Some(<$ty as ParamType>::to_value(self.$section.$field)), )* )*
                    _ => None,
                }
            }
        }
    };
}

define_params! {
    /// The five-level territory and its populations (MODEL §2.1–2.3, §10).
    territory: Territory {
        districts: u32 = 4; [1, 64] "count"; Structural; "1.1";
            en "districts and counties (L2) under the city";
            zh "市辖区县（第二级）数量";
        streets_per_district: u32 = 4; [1, 400] "count"; Structural; "1.1";
            en "streets and townships (L3) per district";
            zh "每个区县的街道/乡镇（第三级）数量";
        communities_per_street: u32 = 6; [1, 400] "count"; Structural; "1.1";
            en "communities and villages (L4) per street";
            zh "每个街道的社区/村（第四级）数量";
        grids_per_community: u32 = 4; [1, 100] "count"; Structural; "1.1";
            en "grids (L5) per community";
            zh "每个社区的网格（第五级）数量";
        residents_per_grid: u32 = 600; [1, 50000] "residents"; Structural; "1.1";
            en "mean residents per grid (Qingdao 2020: about 590)";
            zh "每个网格平均居民数（青岛2020年约590人）";
        residents_spread: f64 = 0.3; [0.0, 0.9] "share"; Structural; "1.1";
            en "grid populations vary uniformly by this share around the mean";
            zh "网格人口在均值上下按此比例均匀波动";
        grid_workers_per_grid: f64 = 2.8; [0.1, 50.0] "workers"; Structural; "1.1";
            en "full- and part-time grid workers per grid (Qingdao: about 2.8)";
            zh "每个网格的专兼职网格员数（青岛约2.8人）";
        domains: u32 = 6; [1, 16] "count"; Structural; "1.1";
            en "issue domains, each with one functional department at L1 and L2";
            zh "事项领域数，每个领域在市、区两级各设一个职能部门";
        enterprises_per_grid: f64 = 1.5; [0.0, 100.0] "count"; Structural; "1.1";
            en "mean enterprises and public institutions per grid";
            zh "每个网格平均企事业单位数";
        social_orgs_per_community: f64 = 1.2; [0.0, 100.0] "count"; Structural; "1.1";
            en "mean social organisations per community";
            zh "每个社区平均社会组织数";
    }

    /// Issue arrival and attributes (MODEL §2.4).
    issues: Issues {
        arrival_per_1000: f64 = 2.0; [0.0, 1000.0] "issues/1000 residents/tick"; Dynamic; "2.4";
            en "new issues per 1000 residents per week";
            zh "每千名居民每周新发事项数";
        cross_domain_share: f64 = 0.15; [0.0, 1.0] "share"; Dynamic; "2.4";
            en "share of issues that span two or three domains (wicked issues, complements)";
            zh "跨领域复杂事项占比（需多部门互补协同）";
        emerging_share: f64 = 0.08; [0.0, 1.0] "share"; Dynamic; "2.1";
            en "share of emerging issues that no listed domain owns";
            zh "无主管领域的新兴问题占比";
        cross_unit_share: f64 = 0.05; [0.0, 1.0] "share"; Dynamic; "1.1";
            en "share of issues that also touch a sibling unit (grid, community, street or district; led by the lowest common ancestor)";
            zh "涉及同级相邻单位（网格、社区、街道或区县）的跨域事项占比（由最近共同上级牵头）";
        severity_min: f64 = 1.0; [0.01, 100.0] "severity"; Dynamic; "2.4";
            en "minimum severity of a new issue (Pareto scale)";
            zh "新事项最低严重度（帕累托分布尺度）";
        severity_tail: f64 = 2.5; [1.05, 20.0] "Pareto shape"; Dynamic; "2.4";
            en "tail index of the severity distribution (smaller = heavier tail)";
            zh "严重度分布的尾部指数（越小尾部越重）";
        effort_per_severity: f64 = 1.0; [0.01, 100.0] "eu/severity"; Dynamic; "2.4";
            en "required effort per unit of severity";
            zh "单位严重度所需工作量";
        severity_growth: f64 = 0.03; [0.0, 1.0] "1/tick"; Dynamic; "2.4";
            en "relative growth of an unresolved issue's severity per week (risk accumulation)";
            zh "未解决事项严重度每周增长率（风险累积）";
        major_risk_severity: f64 = 10.0; [0.1, 10000.0] "severity"; Dynamic; "2.4";
            en "severity at which an issue becomes a major risk event";
            zh "事项升级为重大风险事件的严重度阈值";
        opposing_party_share: f64 = 0.15; [0.0, 1.0] "share"; Dynamic; "2.4";
            en "share of issues with an enterprise as opposing party";
            zh "有企事业单位作为利益对立方的事项占比";
        opposing_resistance: f64 = 0.5; [0.0, 1.0] "share"; Dynamic; "2.4";
            en "progress lost to an unmoved opposing party (omega before negotiation and law)";
            zh "对立方抵制造成的进度损失（协商与法治之前）";
        needs_social_org_share: f64 = 0.2; [0.0, 1.0] "share"; Dynamic; "1.2";
            en "share of issues that need social-organisation expertise";
            zh "需要社会组织专业力量的事项占比";
        needs_enterprise_share: f64 = 0.1; [0.0, 1.0] "share"; Dynamic; "1.2";
            en "share of issues that need enterprise resources";
            zh "需要企事业单位资源的事项占比";
        needs_residents_share: f64 = 0.3; [0.0, 1.0] "share"; Dynamic; "1.2";
            en "share of issues that need resident participation";
            zh "需要居民参与的事项占比";
        deadline_ticks: u32 = 4; [1, 104] "ticks"; Dynamic; "";
            en "weeks an issue may stay at one level before it escalates";
            zh "事项在一级停留多少周后上交";
        max_age_ticks: u32 = 52; [1, 1040] "ticks"; Dynamic; "";
            en "an issue still open at this age is closed unresolved (abandoned)";
            zh "事项超过此周数仍未解决则作未解决关闭";
        legacy_backlog_per_grid: f64 = 0.5; [0.0, 100.0] "issues/grid"; Structural; "2.4";
            en "old severe issues (historical legacy) per grid at the start";
            zh "初始时每个网格的历史遗留问题数";
        legacy_severity_factor: f64 = 3.0; [1.0, 100.0] "factor"; Structural; "2.4";
            en "legacy issues are this many times more severe than new ones";
            zh "历史遗留问题严重度倍数";
    }

    /// Capacities, authority and attention of block authorities and departments (MODEL §2.1–2.2, §4.3).
    capacity: Capacity {
        grid_worker_effort: f64 = 1.0; [0.0, 100.0] "eu/worker/tick"; Structural; "1.1";
            en "effort a grid worker can give per week";
            zh "每名网格员每周可投入工作力量（人·周）";
        community_block: f64 = 5.0; [0.0, 10000.0] "eu/tick"; Structural; "1.1";
            en "capacity of a community/village committee";
            zh "社区/村两委每周可投入工作力量（人·周）";
        street_block: f64 = 25.0; [0.0, 10000.0] "eu/tick"; Structural; "1.1";
            en "capacity of a street/township authority";
            zh "街道/乡镇每周可投入工作力量（人·周）";
        district_block: f64 = 120.0; [0.0, 100000.0] "eu/tick"; Structural; "1.1";
            en "capacity of a district/county authority";
            zh "区县党委政府每周可投入工作力量（人·周）";
        city_block: f64 = 300.0; [0.0, 1000000.0] "eu/tick"; Structural; "1.1";
            en "capacity of the city authority";
            zh "市委市政府每周可投入工作力量（人·周）";
        district_department: f64 = 60.0; [0.0, 100000.0] "eu/tick"; Structural; "1.1";
            en "capacity of one district functional department";
            zh "区县单个职能部门每周可投入工作力量（人·周）";
        city_department: f64 = 150.0; [0.0, 1000000.0] "eu/tick"; Structural; "1.1";
            en "capacity of one city functional department";
            zh "市级单个职能部门每周可投入工作力量（人·周）";
        enterprise: f64 = 0.5; [0.0, 1000.0] "eu/tick"; Structural; "1.1";
            en "capacity an enterprise can lend to public issues";
            zh "企事业单位每周可投入公共事务的工作力量（人·周）";
        social_org: f64 = 1.5; [0.0, 1000.0] "eu/tick"; Structural; "1.1";
            en "capacity of a social organisation";
            zh "社会组织每周可投入工作力量（人·周）";
        grid_authority: f64 = 1.5; [0.0, 10000.0] "severity"; Dynamic; "2.2";
            en "highest severity a grid team may settle alone";
            zh "网格可自行处置的最高严重度";
        community_authority: f64 = 3.0; [0.0, 10000.0] "severity"; Dynamic; "2.2";
            en "highest severity a community may settle alone";
            zh "社区可自行处置的最高严重度";
        street_authority: f64 = 6.0; [0.0, 10000.0] "severity"; Dynamic; "2.2";
            en "highest severity a street/township may settle alone";
            zh "街道/乡镇可自行处置的最高严重度";
        district_authority: f64 = 15.0; [0.0, 10000.0] "severity"; Dynamic; "2.2";
            en "highest severity a district may settle alone (the city settles everything)";
            zh "区县可自行处置的最高严重度（市级不设上限）";
        attention_community: f64 = 2.0; [0.0, 10000.0] "slots/tick"; Dynamic; "2.3";
            en "issues a community can actively supervise per week (over its grids)";
            zh "社区每周可督办的事项数（对下属网格）";
        attention_street: f64 = 4.0; [0.0, 10000.0] "slots/tick"; Dynamic; "2.3";
            en "issues a street can actively supervise per week (over its communities)";
            zh "街道每周可督办的事项数";
        attention_district: f64 = 6.0; [0.0, 10000.0] "slots/tick"; Dynamic; "2.3";
            en "issues a district can actively supervise per week (over its streets)";
            zh "区县每周可督办的事项数";
        attention_city: f64 = 12.0; [0.0, 100000.0] "slots/tick"; Dynamic; "2.3";
            en "issues the city can actively supervise per week (front-line command share first, the rest split over districts)";
            zh "市级每周可督办的事项数（先留出前线指挥部份额，其余在各区县间平分）";
        progress_rate: f64 = 0.7; [0.01, 1.0] "1/tick"; Dynamic; "";
            en "g: share of required effort a fully staffed coalition completes per week";
            zh "g：全员投入时每周完成的所需工作量比例";
    }

    /// The collaboration decision and learning (MODEL §4–5).
    behaviour: Behaviour {
        choice_temperature: f64 = 0.5; [0.01, 10.0] "utility"; Dynamic; "";
            en "beta: logit choice temperature";
            zh "β：logit选择温度";
        public_benefit: f64 = 4.0; [0.0, 100.0] "ratio"; Dynamic; "2.1";
            en "b: public value of progress relative to its cost";
            zh "b：工作进展的公共价值与成本之比";
        sanction: f64 = 2.5; [0.0, 100.0] "ratio"; Dynamic; "2.3";
            en "f: sanction on a detected shirker, relative to the cost of the work";
            zh "f：被发现消极不作为的惩处强度（相对工作成本）";
        congestion_weight: f64 = 0.5; [0.0, 10.0] "ratio"; Dynamic; "";
            en "gamma in the congestion cost c = (1 + gamma*load/capacity)^2";
            zh "拥堵成本 c = (1 + γ·负荷/工作力量)² 中的γ";
        symbolic_cost: f64 = 0.3; [0.0, 1.0] "share"; Dynamic; "2.1";
            en "cost of symbolic work as a share of substantive work";
            zh "形式应付的成本占实质履职成本之比";
        symbolic_cover_performance: f64 = 0.3; [0.0, 1.0] "share"; Dynamic; "2.1";
            en "share of a sanction symbolic work escapes under performance evaluation (trace: all)";
            zh "实绩考核下形式应付可逃避的惩处比例（痕迹考核下全部逃避）";
        complement_exponent: f64 = -2.0; [-20.0, 1.0] "r"; Dynamic; "";
            en "r of the CES aggregate for cross-domain issues (r < 0: complements)";
            zh "跨领域事项CES聚合指数r（r<0为互补）";
        lead_share: f64 = 0.4; [0.05, 1.0] "share"; Dynamic; "";
            en "lead's share of the required effort when partners are involved";
            zh "有协作方时牵头单位承担的工作份额";
        motivation_mean: f64 = 0.6; [0.0, 1.0] "m"; Structural; "2.1";
            en "mean intrinsic motivation (public spirit) of organisations at start";
            zh "组织初始内在动机（公共精神）均值";
        motivation_sd: f64 = 0.15; [0.0, 1.0] "m"; Structural; "2.1";
            en "spread of intrinsic motivation at start";
            zh "初始内在动机的离散程度";
        value_angle_sd: f64 = 0.6; [0.0, std::f64::consts::PI] "radians"; Structural; "2.1";
            en "spread of value angles theta around the shared goal at start";
            zh "初始价值取向角θ相对共同目标的离散程度";
        initial_trust: f64 = 0.45; [0.0, 1.0] "trust"; Structural; "2.1";
            en "initial inter-organisational trust before the trust culture";
            zh "初始组织间信任（信任文化之前）";
        trust_gain_rate: f64 = 0.05; [0.0, 1.0] "1/tick"; Dynamic; "2.1";
            en "alpha+: rate trust rises toward observed contribution";
            zh "α⁺：信任向观察到的贡献率上升的速度";
        trust_loss_rate: f64 = 0.05; [0.0, 1.0] "1/tick"; Dynamic; "2.1";
            en "alpha-: rate trust falls (losses learned faster than gains)";
            zh "α⁻：信任下降速度（失信快于建信）";
        observation_base: f64 = 0.4; [0.0, 1.0] "probability"; Dynamic; "2.4";
            en "probability a partner's action is observed without information sharing";
            zh "无信息共享时观察到伙伴行为的概率";
        habit_rate: f64 = 0.1; [0.0, 1.0] "1/tick"; Dynamic; "";
            en "Bush-Mosteller learning rate of action habits";
            zh "行为习惯的Bush–Mosteller学习率";
        habit_forgetting: f64 = 0.1; [0.0, 1.0] "1/tick"; Dynamic; "";
            en "phi: share of every habit forgotten each week (Erev and Roth 1998 recency)";
            zh "φ：每周遗忘的行为习惯比例（Erev与Roth 1998的近因参数）";
        conditional_share: f64 = 0.0; [0.0, 1.0] "share"; Dynamic; "2.1";
            en "share of conditional cooperators among an organisation's staff (Fischbacher, Gaechter and Fehr 2001)";
            zh "组织成员中条件合作者的比例（Fischbacher、Gächter与Fehr 2001）";
        free_rider_share: f64 = 0.3; [0.0, 1.0] "share"; Dynamic; "2.1";
            en "share of free riders among an organisation's staff (already in its motivation m)";
            zh "组织成员中搭便车者的比例（已体现在内在动机m中）";
        aspiration_rate: f64 = 0.05; [0.0, 1.0] "1/tick"; Dynamic; "";
            en "rate the aspiration level drifts toward recent payoffs";
            zh "抱负水平向近期收益漂移的速度";
        crowding_threshold: f64 = 0.3; [0.0, 10.0] "pressure"; Dynamic; "2.3";
            en "pressure above intrinsic value beyond which motivation is crowded out";
            zh "外部压力超出内在价值多少后挤出内在动机";
        crowding_rate: f64 = 0.02; [0.0, 1.0] "1/tick"; Dynamic; "2.3";
            en "rate external pressure erodes motivation";
            zh "外部压力侵蚀内在动机的速度";
        recognition_rate: f64 = 0.01; [0.0, 1.0] "1/tick"; Dynamic; "2.1";
            en "rate recognised substantive work raises motivation";
            zh "实质履职获认可提升内在动机的速度";
        motivation_relax_rate: f64 = 0.01; [0.0, 1.0] "1/tick"; Dynamic; "2.1";
            en "rate motivation relaxes toward its base level";
            zh "内在动机回归基准水平的速度";
        reputation_rate: f64 = 0.1; [0.0, 1.0] "1/tick"; Dynamic; "2.4";
            en "rate public reputation follows the visible track record";
            zh "公共声誉跟随可见履职记录的速度";
        tau_base: f64 = 0.1; [0.0, 10.0] "share of cost"; Dynamic; "2.1";
            en "tau0: base transaction cost of working in a coalition";
            zh "τ₀：协同的基础交易成本";
        tau_trust: f64 = 0.15; [0.0, 10.0] "share of cost"; Dynamic; "2.1";
            en "tau_T: extra transaction cost per unit of missing trust";
            zh "τ_T：信任缺失带来的额外交易成本";
        tau_value: f64 = 0.3; [0.0, 10.0] "share of cost"; Dynamic; "2.1";
            en "tau_V: extra transaction cost per unit of value distance";
            zh "τ_V：价值距离带来的额外交易成本";
        tau_sideways: f64 = 0.3; [0.0, 10.0] "share of cost"; Dynamic; "2.2";
            en "extra transaction cost when a department must coordinate sideways";
            zh "部门牵头横向协调的额外交易成本";
        tau_max: f64 = 1.5; [0.0, 10.0] "share of cost"; Dynamic; "2.1";
            en "upper clip of the transaction cost";
            zh "交易成本上限";
        department_clout: f64 = 0.4; [0.0, 1.0] "share"; Dynamic; "2.3";
            en "share of the oversight tools a lead department can bring to bear on peers";
            zh "牵头部门能借用的监督工具力度比例（部门权威）";
        policy_conflict_q: f64 = 0.08; [0.0, 1.0] "probability"; Dynamic; "2.4";
            en "q: chance per department pair per week that policies conflict";
            zh "q：每对部门每周政策冲突的概率";
        formation_delay_ticks: f64 = 2.0; [0.0, 52.0] "ticks"; Dynamic; "2.2";
            en "mean weeks to form a cross-domain coalition without the coordinating core";
            zh "未建统筹协调机制时组建跨领域协同专班的平均周数";
        discovery_base: f64 = 0.35; [0.0, 1.0] "probability"; Dynamic; "1.2";
            en "chance per week a hidden issue is found by a grid team with free capacity";
            zh "网格员有余力时每周发现隐藏事项的概率";
        report_base: f64 = 0.5; [0.0, 1.0] "probability"; Dynamic; "1.2";
            en "chance per week a fully trusting, participating resident reports";
            zh "完全信任且积极参与的居民每周上报的概率";
        escalation_reputation_cost: f64 = 0.02; [0.0, 1.0] "reputation"; Dynamic; "2.3";
            en "reputation a unit loses when an issue is escalated past it for missing its deadline";
            zh "事项超期被上交时责任单位损失的声誉";
        escalation_pressure: f64 = 0.5; [0.0, 10.0] "share of sanction"; Dynamic; "2.3";
            en "pressure an overdue escalation puts on the unit it leaves, as share of the sanction";
            zh "超期上交对责任单位形成的压力（占惩处权重比例）";
        visibility_base: f64 = 0.3; [0.0, 1.0] "share"; Dynamic; "2.4";
            en "visibility of an organisation's record without information sharing or third-party evaluation (reputation learning speed)";
            zh "无信息共享与第三方评估时组织履职记录的可见度（声誉更新速度）";
    }

    /// Residents (MODEL §2.3, §5).
    residents: Residents {
        initial_trust: f64 = 0.6; [0.0, 1.0] "trust"; Structural; "2.1";
            en "mean resident trust in government at start";
            zh "居民对政府的初始信任均值";
        participation_mean: f64 = 0.4; [0.0, 1.0] "propensity"; Structural; "1.2";
            en "mean participation propensity (reporting, volunteering)";
            zh "居民参与倾向均值（上报、志愿）";
        trust_relax_rate: f64 = 0.01; [0.0, 1.0] "1/tick"; Structural; "";
            en "rate resident trust relaxes toward its baseline when nothing happens";
            zh "无事发生时居民信任回归基线的速度";
        trust_learning: f64 = 0.3; [0.0, 1.0] "share"; Dynamic; "";
            en "weight of a closed issue's satisfaction in the complainant's trust";
            zh "事项办结满意度对诉求人信任的影响权重";
        grievance_erosion: f64 = 0.01; [0.0, 1.0] "trust/tick"; Dynamic; "2.4";
            en "trust lost per week an own grievance stays open (seen or hidden)";
            zh "诉求每悬而未决一周损失的信任";
        wait_penalty: f64 = 0.06; [0.0, 1.0] "satisfaction/tick"; Dynamic; "";
            en "satisfaction lost per week of waiting";
            zh "每等待一周损失的满意度";
        escalation_penalty: f64 = 0.1; [0.0, 1.0] "satisfaction"; Dynamic; "";
            en "satisfaction lost per escalation the issue went through";
            zh "事项每上交一级损失的满意度";
        petition_trust: f64 = 0.35; [0.0, 1.0] "trust"; Dynamic; "";
            en "complainants below this trust may petition past their level";
            zh "信任低于此值的诉求人可能越级上访";
        petition_age_ticks: u32 = 4; [0, 1040] "ticks"; Dynamic; "";
            en "grievance age from which a petition becomes possible";
            zh "诉求搁置多少周后可能上访";
        petition_rate: f64 = 0.1; [0.0, 1.0] "probability/tick"; Dynamic; "";
            en "chance per week that an eligible complainant petitions";
            zh "符合条件的诉求人每周上访的概率";
        petition_trust_cost: f64 = 0.05; [0.0, 1.0] "trust"; Dynamic; "";
            en "trust a complainant loses by having to petition";
            zh "诉求人被迫越级上访时损失的信任";
        input_factor: f64 = 2.0; [0.0, 10.0] "multiplier"; Dynamic; "1.2";
            en "residents' delivery on issues that need them, per unit of participation times trust (clipped to 1)";
            zh "居民对需其参与事项的投入（参与倾向×信任的倍数，上限为1）";
        major_risk_trust_shock: f64 = 0.1; [0.0, 1.0] "trust"; Dynamic; "1.1";
            en "trust every resident of the grid loses when a major risk event occurs";
            zh "发生重大风险事件时所在网格居民损失的信任";
    }

    /// 1.1 and 1.2: structure and capability levers.
    capability: Capability {
        city_front_line_command: bool = true; [0, 1] ""; Dynamic; "1.1";
            en "the city leads cross-district issues as front-line command (costs city attention)";
            zh "市级设前线指挥部牵头跨区县事项（占用市级注意力）";
        socialisation: f64 = 0.0; [0.0, 1.0] "intensity"; Dynamic; "1.2";
            en "socialisation: public funding that raises enterprise and social-organisation capacity";
            zh "社会化：政府出资增强企事业单位与社会组织的工作力量";
        intelligent_systems: f64 = 0.0; [0.0, 1.0] "intensity"; Dynamic; "1.2";
            en "intelligent systems: better discovery and observation (system cost)";
            zh "智能化：提升发现与行为可观察性（系统成本）";
        rule_of_law: f64 = 0.0; [0.0, 1.0] "intensity"; Dynamic; "1.2";
            en "rule of law: stronger sanctions and opposing-party compliance (enforcement capacity)";
            zh "法治化：强化惩处并促使对立方守法（占用执法力量）";
        professionalism: f64 = 0.0; [0.0, 1.0] "intensity"; Dynamic; "1.2";
            en "professionalism: more progress per unit of effort (training cost)";
            zh "专业化：单位工作量产出更多进展（培训成本）";
    }

    /// 2.1: motivation levers.
    motivation: Motivation {
        value_programme: f64 = 0.0; [0.0, 1.0] "intensity"; Dynamic; "2.1";
            en "value consensus programme: rotates value angles toward the shared goal (capacity)";
            zh "价值共识建设：使价值取向向共同目标靠拢（占用工作力量）";
        trust_culture: f64 = 0.0; [0.0, 1.0] "intensity"; Dynamic; "2.1";
            en "trust culture: higher initial trust and faster trust gains (builds over time)";
            zh "信任文化：提高初始信任与建信速度（需时间培育）";
        equal_partnership: f64 = 0.0; [0.0, 1.0] "intensity"; Dynamic; "2.1";
            en "equal partnership instead of hierarchy: credit shared with non-government partners";
            zh "平等伙伴关系替代科层：非政府伙伴共享成绩与荣誉";
        incentive_compatibility: f64 = 0.3; [0.0, 1.0] "kappa"; Dynamic; "2.1";
            en "kappa: weight of evaluation credit in an actor's utility (measurement cost, noisy blame)";
            zh "κ：激励相容——考核得分在效用中的权重（测量成本、错误问责）";
        responsibility_lists: f64 = 0.0; [0.0, 1.0] "a"; Dynamic; "2.1";
            en "a: responsibility and power lists make blame land on the shirker (rigid on unlisted issues)";
            zh "a：权责清单使问责落到消极不作为者（对清单外事项僵化推诿）";
        performance_evaluation: f64 = 0.2; [0.0, 1.0] "share"; Dynamic; "2.1";
            en "weight of performance (results) over trace (paperwork) evaluation";
            zh "实绩考核相对痕迹考核的权重";
        lookback_interval_ticks: u32 = 0; [0, 520] "ticks"; Dynamic; "2.1";
            en "look-back review every this many weeks (0 = none)";
            zh "每隔多少周进行一次“回头看”（0为不开展）";
        lookback_strength: f64 = 0.5; [0.0, 1.0] "intensity"; Dynamic; "2.1";
            en "how hard a look-back review rewards, sanctions and corrects";
            zh "“回头看”奖惩与纠偏力度";
    }

    /// 2.2: institutional levers.
    institutions: Institutions {
        grassroots_empowerment: f64 = 0.0; [0.0, 1.0] "intensity"; Dynamic; "2.2";
            en "rights-responsibility symmetry: capacity, authority, posts and pay moved to L3-L5";
            zh "权责对等、赋权基层：工作力量、权限、编制与待遇下沉到街道以下";
        party_core: f64 = 0.0; [0.0, 1.0] "intensity"; Dynamic; "2.2";
            en "party leadership as coordinating core: fewer policy conflicts, faster coalitions";
            zh "党委统筹协调机制健全度（发挥党的全面领导“一元轴心”作用；0＝未建专门统筹机制）：减少政策冲突、加快组建专班";
        platform_government: f64 = 0.0; [0.0, 1.0] "intensity"; Dynamic; "2.2";
            en "from doing everything to building platforms: government capacity becomes social capacity";
            zh "平台型政府：从“全包办”转向“搭平台”（“放管服”改革方向），部门力量转为培育社会力量";
        block_led: bool = false; [0, 1] ""; Dynamic; "2.2";
            en "block-led management: the territorial block leads instead of the department";
            zh "以块为主：由属地牵头而非职能部门牵头";
        limited_territorial_liability: bool = false; [0, 1] ""; Dynamic; "2.2";
            en "limited territorial liability: blocks answer only within their authority";
            zh "属地管理“有限责任”：属地只在职权范围内担责";
    }

    /// 2.3: collaboration tools (pressure).
    tools: Tools {
        superior_attention: f64 = 1.0; [0.0, 3.0] "multiplier"; Dynamic; "2.3";
            en "multiplier on superiors' attention slots (0 = attention withdrawn)";
            zh "上级注意力倍数（0为撤回关注）";
        attention_detection: f64 = 0.1; [0.0, 1.0] "probability/tick"; Dynamic; "2.3";
            en "detection hazard of shirking on an issue a superior is watching";
            zh "上级督办事项中消极不作为被发现的每周概率";
        discipline_inspection: f64 = 0.0; [0.0, 1.0] "probability/tick"; Dynamic; "2.3";
            en "discipline inspection hazard (party and government only)";
            zh "纪检监察发现概率（作用于块、条及网格员，不含企事业单位、社会组织）";
        media_pressure: f64 = 0.0; [0.0, 1.0] "probability/tick"; Dynamic; "2.3";
            en "media exposure hazard at severity 10 (proportional to severity)";
            zh "媒体曝光概率（严重度为10时，与严重度成正比）";
        third_party_evaluation: f64 = 0.0; [0.0, 1.0] "probability/tick"; Dynamic; "2.3";
            en "third-party evaluation hazard (all organisations; moves reputation)";
            zh "第三方评估发现概率（覆盖所有组织，影响声誉）";
    }

    /// 2.4: whole-process mechanisms.
    process: Process {
        deliberation: f64 = 0.0; [0.0, 1.0] "intensity"; Dynamic; "2.4";
            en "party-government deliberation: lowers policy conflict and transaction cost (meeting time)";
            zh "党政议事协调：降低政策冲突与交易成本（会议时间）";
        negotiation: f64 = 0.0; [0.0, 1.0] "intensity"; Dynamic; "2.4";
            en "interest negotiation: lowers opposing-party resistance (time, concessions)";
            zh "利益引导与商议：降低对立方抵制（时间与让步）";
        information_sharing: f64 = 0.0; [0.0, 1.0] "intensity"; Dynamic; "2.4";
            en "information sharing and notification: discovery, observation, reputation (reveals demand)";
            zh "信息共享与通报：提升发现、可观察性与声誉作用（释放更多诉求）";
        operating_constraints: f64 = 0.0; [0.0, 1.0] "intensity"; Dynamic; "2.4";
            en "binding commitments: a defaulting member is fully attributable (rigidity overhead)";
            zh "协同运行约束：违约的专班成员担全责（带来刚性开销）";
        whistle_and_report: bool = false; [0, 1] ""; Dynamic; "2.4";
            en "whistle-and-report: the block summons the departments it needs";
            zh "吹哨报到（源自北京“街乡吹哨、部门报到”）：街乡吹哨召集职能部门到场报到";
        township_evaluation: bool = false; [0, 1] ""; Dynamic; "2.4";
            en "streets and townships evaluate the departments they summon";
            zh "街乡对报到部门的考核评价";
    }

    /// What each lever costs and how strongly it acts (MODEL §6 "costs" column).
    costs: Costs {
        city_command_attention: f64 = 0.25; [0.0, 1.0] "share"; Dynamic; "1.1";
            en "share of city attention slots reserved for front-line command";
            zh "前线指挥部占用的市级注意力比例";
        socialisation_gain: f64 = 1.0; [0.0, 10.0] "multiplier"; Dynamic; "1.2";
            en "extra non-government capacity at full socialisation";
            zh "完全社会化时非政府组织工作力量增幅";
        socialisation_funding: f64 = 0.5; [0.0, 100.0] "eu/org/tick"; Dynamic; "1.2";
            en "public funding per non-government organisation at full socialisation";
            zh "完全社会化时每个非政府组织的财政投入";
        systems_gain: f64 = 0.6; [0.0, 10.0] "multiplier"; Dynamic; "1.2";
            en "discovery and observation gain at full intelligent systems";
            zh "完全智能化时的发现与可观察性增益";
        systems_cost: f64 = 0.05; [0.0, 100.0] "eu/grid/tick"; Dynamic; "1.2";
            en "running cost of intelligent systems per grid";
            zh "智能化系统每网格运行成本";
        rule_of_law_gain: f64 = 1.0; [0.0, 10.0] "multiplier"; Dynamic; "1.2";
            en "extra sanction weight and opposing-party compliance at full rule of law";
            zh "完全法治化时惩处与守法的增益";
        rule_of_law_enforcement: f64 = 0.1; [0.0, 1.0] "share"; Dynamic; "1.2";
            en "share of department capacity spent on enforcement at full rule of law";
            zh "完全法治化时部门用于执法的工作力量比例";
        professionalism_gain: f64 = 0.5; [0.0, 10.0] "multiplier"; Dynamic; "1.2";
            en "extra progress per effort at full professionalism";
            zh "完全专业化时单位工作量进展增益";
        professionalism_cost: f64 = 0.2; [0.0, 100.0] "eu/org/tick"; Dynamic; "1.2";
            en "training cost per government organisation at full professionalism";
            zh "完全专业化时每个政府组织的培训成本";
        value_rotation: f64 = 0.05; [0.0, 1.0] "share/tick"; Dynamic; "2.1";
            en "share of the value angle closed per week at full value programme";
            zh "完全价值建设时每周价值角收敛比例";
        value_programme_capacity: f64 = 0.08; [0.0, 1.0] "share"; Dynamic; "2.1";
            en "share of capacity the value programme takes at full intensity";
            zh "完全价值建设占用的工作力量比例";
        trust_culture_initial: f64 = 0.25; [0.0, 1.0] "trust"; Dynamic; "2.1";
            en "initial trust added at full trust culture";
            zh "完全信任文化增加的初始信任";
        trust_culture_gain: f64 = 1.0; [0.0, 10.0] "multiplier"; Dynamic; "2.1";
            en "alpha+ multiplier added at full trust culture";
            zh "完全信任文化对α⁺的增幅";
        culture_build_ticks: f64 = 26.0; [0.0, 520.0] "ticks"; Dynamic; "2.1";
            en "weeks for trust culture and equal partnership to reach full effect";
            zh "信任文化与平等伙伴关系达到全效所需周数";
        culture_established: bool = false; [0, 1] ""; Structural; "2.1";
            en "trust culture and equal partnership switched on at the start are already built (no build-up in week 1)";
            zh "开局即已建成的信任文化与平等伙伴关系（第1周起无需培育期）";
        trust_culture_capacity: f64 = 0.04; [0.0, 1.0] "share"; Dynamic; "2.1";
            en "share of every organisation's capacity a full trust-culture programme takes";
            zh "完全信任文化建设占用各组织工作力量的比例";
        nongov_credit_hierarchy: f64 = 0.3; [0.0, 1.0] "share"; Dynamic; "2.1";
            en "share of evaluation credit non-government partners get under hierarchy";
            zh "科层体制下非政府伙伴分享的成绩与荣誉比例";
        measurement_cost: f64 = 0.02; [0.0, 100.0] "eu/coalition-tick"; Dynamic; "2.1";
            en "cost of measuring contributions per coalition-week at kappa = 1 and full performance evaluation";
            zh "κ=1且完全实绩考核时每专班·周的测量成本";
        blame_noise: f64 = 0.1; [0.0, 1.0] "probability"; Dynamic; "2.1";
            en "chance measurement blames a contributor, scaled by kappa";
            zh "错误问责（考核失准）的概率：实质履职者被误判受罚（随κ放大；容错纠错所针对的问题）";
        list_rigidity: f64 = 0.6; [0.0, 1.0] "probability/tick"; Dynamic; "2.1";
            en "chance per week a listed lead refuses an unlisted (emerging) issue at a = 1";
            zh "a=1时牵头单位每周推诿清单外新兴事项的概率";
        trace_paperwork: f64 = 0.25; [0.0, 1.0] "share"; Dynamic; "2.1";
            en "share of grassroots capacity spent on paperwork under pure trace evaluation";
            zh "纯痕迹考核下基层用于填表留痕的工作力量比例";
        lookback_attention: f64 = 0.3; [0.0, 1.0] "share"; Dynamic; "2.1";
            en "share of superiors' attention a review week takes at full strength";
            zh "“回头看”当周占用上级注意力的比例（全力度）";
        lookback_recognition: f64 = 0.05; [0.0, 1.0] "m"; Dynamic; "2.1";
            en "motivation an improving organisation gains from a review's commendation, at full strength";
            zh "“回头看”表扬进步单位带来的动机提升（全力度）";
        lookback_naming: f64 = 0.05; [0.0, 1.0] "reputation"; Dynamic; "2.1";
            en "reputation a lagging organisation loses from a review's criticism, at full strength";
            zh "“回头看”点名落后单位造成的声誉损失（全力度）";
        lookback_value_correction: f64 = 0.3; [0.0, 1.0] "share"; Dynamic; "2.1";
            en "share of value drift a review corrects, at full strength";
            zh "“回头看”纠正价值偏离的比例（全力度）";
        empowerment_capacity: f64 = 0.5; [0.0, 10.0] "multiplier"; Dynamic; "2.2";
            en "extra L3-L5 capacity and authority at full grassroots empowerment";
            zh "完全赋权基层时街道以下工作力量与权限增幅";
        empowerment_upper_cost: f64 = 0.25; [0.0, 1.0] "share"; Dynamic; "2.2";
            en "share of L1-L2 capacity moved down at full grassroots empowerment";
            zh "完全赋权基层时市区两级下沉的工作力量比例";
        empowerment_motivation: f64 = 0.15; [0.0, 1.0] "m"; Dynamic; "2.2";
            en "base motivation added to grassroots units by better posts and pay";
            zh "编制与待遇改善带来的基层动机提升";
        party_core_conflict: f64 = 0.6; [0.0, 1.0] "share"; Dynamic; "2.2";
            en "share of policy conflicts the coordinating core removes at full strength";
            zh "统筹协调机制完全健全时消除的政策冲突比例";
        party_core_attention: f64 = 0.1; [0.0, 1.0] "share"; Dynamic; "2.2";
            en "share of party committees' attention taken by coordination";
            zh "统筹协调占用的党委注意力比例";
        platform_transfer: f64 = 0.3; [0.0, 1.0] "share"; Dynamic; "2.2";
            en "share of department capacity turned into social capacity at full platform government";
            zh "完全平台型政府时部门力量转为社会力量的比例";
        platform_build_ticks: f64 = 26.0; [0.0, 520.0] "ticks"; Dynamic; "2.2";
            en "weeks for new social capacity to come on line";
            zh "社会力量培育形成所需周数";
        platform_established: bool = false; [0, 1] ""; Structural; "2.2";
            en "platform government switched on at the start is already built (no build-up in week 1)";
            zh "开局即已建成的平台型政府（第1周起无需培育期）";
        block_coordination: f64 = 0.15; [0.0, 10.0] "share of work"; Dynamic; "2.2";
            en "coordination a leading block spends, as share of the departments' work on a cross-domain issue";
            zh "属地牵头跨领域事项时用于统筹部门的工作量（占部门工作量比例）";
        territorial_offload: f64 = 0.5; [0.0, 1.0] "share"; Dynamic; "2.2";
            en "share of departments' blame offloaded onto blocks under unlimited territorial liability";
            zh "属地责任泛化（职能部门向属地转嫁责任）时转嫁给属地的问责比例";
        attention_cost: f64 = 0.05; [0.0, 100.0] "eu/slot"; Dynamic; "2.3";
            en "capacity a superior spends on each attention slot it holds (watching or reviewing)";
            zh "上级每持有一个督办名额（督办或回头看）占用的工作力量";
        inspection_cost: f64 = 5.0; [0.0, 10000.0] "eu/district/tick"; Dynamic; "2.3";
            en "inspectors' cost per district at full discipline-inspection hazard 1";
            zh "纪检监察每区县成本（概率为1时）";
        media_crowding: f64 = 1.5; [0.0, 100.0] "multiplier"; Dynamic; "2.3";
            en "weight of media pressure in the pressure that crowds out motivation";
            zh "媒体压力在挤出动机的压力中的权重";
        evaluation_fee: f64 = 0.2; [0.0, 100.0] "eu/org/tick"; Dynamic; "2.3";
            en "third-party evaluation fee per organisation at hazard 1";
            zh "第三方评估每组织费用（概率为1时）";
        deliberation_conflict: f64 = 0.6; [0.0, 1.0] "share"; Dynamic; "2.4";
            en "share of policy conflicts deliberation removes at full intensity";
            zh "全力议事协调消除的政策冲突比例";
        deliberation_tau: f64 = 0.15; [0.0, 10.0] "share of cost"; Dynamic; "2.4";
            en "transaction cost removed by deliberation at full intensity";
            zh "全力议事协调降低的交易成本";
        deliberation_meeting: f64 = 0.1; [0.0, 1.0] "share"; Dynamic; "2.4";
            en "meeting time per cross-domain coalition member as share of its work";
            zh "跨领域协同专班成员的会议时间占工作量比例";
        negotiation_effect: f64 = 0.7; [0.0, 1.0] "share"; Dynamic; "2.4";
            en "share of opposing resistance removed by full negotiation";
            zh "全力利益引导与商议消除的对立方抵制比例";
        negotiation_cost: f64 = 0.3; [0.0, 10.0] "share"; Dynamic; "2.4";
            en "concessions and time as share of the issue's weekly effort, at full negotiation";
            zh "全力利益引导与商议时让步与时间成本占事项周工作量比例";
        sharing_tau: f64 = 0.1; [0.0, 10.0] "share of cost"; Dynamic; "2.4";
            en "transaction cost removed by full information sharing";
            zh "完全信息共享降低的交易成本";
        sharing_demand: f64 = 0.2; [0.0, 10.0] "share"; Dynamic; "2.4";
            en "extra demand revealed at full information sharing";
            zh "完全信息共享释放的额外诉求比例";
        sharing_cost: f64 = 0.03; [0.0, 100.0] "eu/grid/tick"; Dynamic; "2.4";
            en "system cost of information sharing per grid";
            zh "信息共享每网格系统成本";
        naming_penalty: f64 = 0.1; [0.0, 1.0] "reputation"; Dynamic; "2.4";
            en "reputation lost when a detected shirker is publicly named, at full sharing";
            zh "完全通报时被发现消极不作为者的声誉损失";
        constraints_overhead: f64 = 0.1; [0.0, 1.0] "share"; Dynamic; "2.4";
            en "capacity reserved for binding commitments, as share of committed work";
            zh "运行约束为承诺预留的工作力量占承诺工作量比例";
        whistle_response: f64 = 0.3; [0.0, 10.0] "eu/summons"; Dynamic; "2.4";
            en "department capacity each summons diverts";
            zh "每次报到占用的部门工作力量";
        whistle_clout: f64 = 0.8; [0.0, 1.0] "share"; Dynamic; "2.4";
            en "oversight a summoning block brings to bear on summoned departments";
            zh "吹哨属地对报到部门的督促力度";
        township_credit: f64 = 0.5; [0.0, 10.0] "kappa"; Dynamic; "2.4";
            en "credit weight of the township's evaluation for summoned departments";
            zh "街乡考核评价对报到部门的考核权重";
        township_evaluation_cost: f64 = 0.1; [0.0, 10.0] "eu/summons"; Dynamic; "2.4";
            en "capacity a summoning block spends evaluating each summoned department";
            zh "街乡对每个报到部门考核评价占用的工作力量";
    }

    /// How a run is measured (MODEL §11.6): read by the output layer only, never by the model.
    observation: Observation {
        warmup_ticks: u32 = 0; [0, 5200] "weeks"; Structural; "";
            en "weeks before the measurement window: summary metrics cover the weeks after them";
            zh "测量窗口之前的预热周数：汇总指标只统计其后各周";
        return_visit_ticks: u32 = 3; [0, 25] "weeks"; Structural; "";
            en "weeks after a request at which the hotline's return visit asks whether it was resolved (12345: 15 working days)";
            zh "诉求受理后热线回访询问是否解决的周数（12345：15个工作日）";
        unsettleable_share: f64 = 0.0; [0.0, 0.9] "share"; Structural; "";
            en "share of hotline requests no agency could settle, counted unresolved (an assumption; no public figure)";
            zh "任何机构都无法解决、计为未解决的热线诉求比例（假设值，无公开数据）";
        cohort_horizon_ticks: u32 = 13; [1, 25] "weeks"; Structural; "";
            en "weeks each arrival cohort of the window is followed for the headline resolution rate (a quarter)";
            zh "测量窗口内新发事项按批跟踪的周数，用于首要解决率指标（一个季度）";
        metric_inflation: f64 = 0.0; [0.0, 1.0] "share"; Structural; "";
            en "metric inflation: share of the gap to 100 % that reported hotline rates gain once units are ranked on them (0: reported = true)";
            zh "指标虚高：以热线指标排名后，上报的解决率与满意率向100%虚增的差距比例（0表示如实）";
        metric_inflation_from_tick: u32 = 0; [0, 5200] "week"; Structural; "";
            en "first week of report (or of closure, for satisfaction) whose hotline figures carry the metric inflation";
            zh "指标虚高起始周：自该周受理（满意度按办结周）的热线指标开始虚高";
    }
}

/// Looks up the specification of a dotted key.
pub fn spec_of(key: &str) -> Option<&'static ParamSpec> {
    param_specs().iter().find(|s| s.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_is_within_its_range_and_round_trips() {
        let mut p = Params::default();
        for spec in param_specs() {
            assert_eq!(p.get(spec.key), Some(spec.default), "{}", spec.key);
            p.set(spec.key, spec.default)
                .unwrap_or_else(|e| panic!("{}: {e:?}", spec.key));
            if spec.kind != ParamKind::Bool {
                let x = match spec.default {
                    ParamValue::Float(x) => x,
                    ParamValue::Int(i) => i as f64,
                    ParamValue::Bool(_) => unreachable!(),
                };
                assert!(x >= spec.min && x <= spec.max, "{}", spec.key);
            }
        }
    }

    #[test]
    fn keys_are_unique_and_described_in_both_languages() {
        let mut keys: Vec<_> = param_specs().iter().map(|s| s.key).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), param_specs().len());
        for s in param_specs() {
            assert!(!s.en.is_empty() && !s.zh.is_empty(), "{}", s.key);
        }
    }

    #[test]
    fn set_refuses_wrong_types_ranges_and_unknown_keys() {
        let mut p = Params::default();
        assert_eq!(
            p.set("nope.x", ParamValue::Int(1)),
            Err(SetError::UnknownKey)
        );
        assert!(matches!(
            p.set("motivation.incentive_compatibility", ParamValue::Float(1.4)),
            Err(SetError::OutOfRange { .. })
        ));
        assert_eq!(
            p.set(
                "motivation.incentive_compatibility",
                ParamValue::Float(f64::NAN)
            ),
            Err(SetError::NotFinite)
        );
        assert!(matches!(
            p.set("territory.districts", ParamValue::Float(2.5)),
            Err(SetError::WrongType { .. })
        ));
        assert!(matches!(
            p.set("institutions.block_led", ParamValue::Int(1)),
            Err(SetError::WrongType { .. })
        ));
        p.set("territory.districts", ParamValue::Int(7)).unwrap();
        assert_eq!(p.territory.districts, 7);
    }
}
