//! The short name of every parameter in both languages, and the policy source of each lever.
//!
//! Charts, reports, `cogov compare`, `cogov params --lang zh` and the run summary name a
//! parameter by its short name rather than its TOML key: a Chinese figure or report holds no
//! raw key such as `responsibility_lists`. The Chinese names follow `docs/GLOSSARY-ZH.md` (one
//! name per concept); the English name is the key's last part in words. The table sits here,
//! beside the chart labels, rather than as a column of `model/params.rs`'s `define_params!`,
//! so that the words of the interface do not touch the model; a test holds it to the
//! parameter table (every key named once, no other key). The policy sources of the levers are
//! the report's glossary and the table of `docs/GLOSSARY-ZH.md` (generated from here and
//! checked by `tests/docs.rs`).

use super::labels::Lang;
use crate::model::params::ParamValue;
use crate::scenario::{LabelledIntervention, Scenario};

macro_rules! names {
    ($($key:literal => $zh:literal;)*) => {
        /// (key, Chinese short name) of every parameter, in table order.
        pub const NAMES_ZH: &[(&str, &str)] = &[$(($key, $zh)),*];
    };
}

names! {
    "territory.districts" => "区县数";
    "territory.streets_per_district" => "每区县街道数";
    "territory.communities_per_street" => "每街道社区数";
    "territory.grids_per_community" => "每社区网格数";
    "territory.residents_per_grid" => "每网格居民数";
    "territory.residents_spread" => "网格人口波动幅度";
    "territory.grid_workers_per_grid" => "每网格网格员数";
    "territory.domains" => "事项领域数";
    "territory.enterprises_per_grid" => "每网格企事业单位数";
    "territory.social_orgs_per_community" => "每社区社会组织数";
    "issues.arrival_per_1000" => "每千人每周新发事项数";
    "issues.cross_domain_share" => "跨领域事项占比";
    "issues.emerging_share" => "新兴问题占比";
    "issues.cross_unit_share" => "跨域事项占比";
    "issues.severity_min" => "最低严重度";
    "issues.severity_tail" => "严重度尾部指数";
    "issues.effort_per_severity" => "单位严重度工作量";
    "issues.severity_growth" => "严重度周增长率";
    "issues.major_risk_severity" => "重大风险严重度阈值";
    "issues.opposing_party_share" => "有利益对立方的事项占比";
    "issues.opposing_resistance" => "对立方抵制强度";
    "issues.needs_social_org_share" => "需社会组织参与的事项占比";
    "issues.needs_enterprise_share" => "需企事业单位参与的事项占比";
    "issues.needs_residents_share" => "需居民参与的事项占比";
    "issues.deadline_ticks" => "逐级上交时限";
    "issues.max_age_ticks" => "未解决关闭时限";
    "issues.legacy_backlog_per_grid" => "每网格历史遗留问题数";
    "issues.legacy_severity_factor" => "历史遗留问题严重度倍数";
    "capacity.grid_worker_effort" => "网格员工作力量";
    "capacity.community_block" => "社区两委工作力量";
    "capacity.street_block" => "街道工作力量";
    "capacity.district_block" => "区县工作力量";
    "capacity.city_block" => "市级工作力量";
    "capacity.district_department" => "区县职能部门工作力量";
    "capacity.city_department" => "市级职能部门工作力量";
    "capacity.enterprise" => "企事业单位工作力量";
    "capacity.social_org" => "社会组织工作力量";
    "capacity.grid_authority" => "网格处置权限";
    "capacity.community_authority" => "社区处置权限";
    "capacity.street_authority" => "街道处置权限";
    "capacity.district_authority" => "区县处置权限";
    "capacity.attention_community" => "社区督办名额";
    "capacity.attention_street" => "街道督办名额";
    "capacity.attention_district" => "区县督办名额";
    "capacity.attention_city" => "市级督办名额";
    "capacity.progress_rate" => "工作推进率g";
    "behaviour.choice_temperature" => "选择温度β";
    "behaviour.public_benefit" => "公共价值b";
    "behaviour.sanction" => "惩处强度f";
    "behaviour.congestion_weight" => "拥堵系数γ";
    "behaviour.symbolic_cost" => "形式应付成本";
    "behaviour.symbolic_cover_performance" => "形式应付逃避惩处比例";
    "behaviour.complement_exponent" => "互补指数r";
    "behaviour.lead_share" => "牵头单位工作份额";
    "behaviour.motivation_mean" => "初始内在动机均值";
    "behaviour.motivation_sd" => "初始内在动机离散度";
    "behaviour.value_angle_sd" => "价值取向离散度θ";
    "behaviour.initial_trust" => "初始组织间信任";
    "behaviour.trust_gain_rate" => "建信速度α+";
    "behaviour.trust_loss_rate" => "失信速度α−";
    "behaviour.observation_base" => "伙伴行为可观察概率";
    "behaviour.habit_rate" => "习惯学习率";
    "behaviour.habit_forgetting" => "习惯遗忘率φ";
    "behaviour.conditional_share" => "条件合作者比例";
    "behaviour.free_rider_share" => "搭便车者比例";
    "behaviour.aspiration_rate" => "抱负调整速度";
    "behaviour.crowding_threshold" => "动机挤出阈值";
    "behaviour.crowding_rate" => "动机挤出速度";
    "behaviour.recognition_rate" => "认可激励速度";
    "behaviour.motivation_relax_rate" => "动机回归速度";
    "behaviour.reputation_rate" => "声誉更新速度";
    "behaviour.tau_base" => "基础交易成本τ0";
    "behaviour.tau_trust" => "信任缺失交易成本τT";
    "behaviour.tau_value" => "价值距离交易成本τV";
    "behaviour.tau_sideways" => "横向协调交易成本";
    "behaviour.tau_max" => "交易成本上限";
    "behaviour.department_clout" => "部门权威";
    "behaviour.policy_conflict_q" => "政策冲突概率q";
    "behaviour.formation_delay_ticks" => "专班组建时间";
    "behaviour.discovery_base" => "网格员发现概率";
    "behaviour.report_base" => "居民上报概率";
    "behaviour.escalation_reputation_cost" => "超期上交声誉损失";
    "behaviour.escalation_pressure" => "超期上交压力";
    "behaviour.visibility_base" => "履职记录基础可见度";
    "residents.initial_trust" => "居民初始信任";
    "residents.participation_mean" => "居民参与倾向";
    "residents.trust_relax_rate" => "居民信任回归速度";
    "residents.trust_learning" => "满意度影响信任权重";
    "residents.grievance_erosion" => "诉求积压信任损失";
    "residents.wait_penalty" => "等待满意度损失";
    "residents.escalation_penalty" => "上交满意度损失";
    "residents.petition_trust" => "越级上访信任阈值";
    "residents.petition_age_ticks" => "越级上访前等待时间";
    "residents.petition_rate" => "越级上访概率";
    "residents.petition_trust_cost" => "上访信任损失";
    "residents.input_factor" => "居民投入系数";
    "residents.major_risk_trust_shock" => "重大风险信任冲击";
    "capability.city_front_line_command" => "市级前线指挥部";
    "capability.socialisation" => "社会化";
    "capability.intelligent_systems" => "智能化";
    "capability.rule_of_law" => "法治化";
    "capability.professionalism" => "专业化";
    "motivation.value_programme" => "价值共识建设";
    "motivation.trust_culture" => "信任文化";
    "motivation.equal_partnership" => "平等伙伴关系";
    "motivation.incentive_compatibility" => "激励相容度κ";
    "motivation.responsibility_lists" => "权责清单a";
    "motivation.performance_evaluation" => "实绩考核权重";
    "motivation.lookback_interval_ticks" => "“回头看”间隔";
    "motivation.lookback_strength" => "“回头看”力度";
    "institutions.grassroots_empowerment" => "赋权基层";
    "institutions.party_core" => "党委统筹协调机制健全度";
    "institutions.platform_government" => "平台型政府";
    "institutions.block_led" => "以块为主";
    "institutions.limited_territorial_liability" => "属地管理“有限责任”";
    "tools.superior_attention" => "上级注意力";
    "tools.attention_detection" => "上级督办发现概率";
    "tools.discipline_inspection" => "纪检监察";
    "tools.media_pressure" => "媒体曝光";
    "tools.third_party_evaluation" => "第三方评估";
    "process.deliberation" => "党政议事协调";
    "process.negotiation" => "利益引导与商议";
    "process.information_sharing" => "信息共享与通报";
    "process.operating_constraints" => "协同运行约束";
    "process.whistle_and_report" => "吹哨报到";
    "process.township_evaluation" => "街乡对报到部门的考核评价";
    "costs.city_command_attention" => "前线指挥部注意力占比";
    "costs.socialisation_gain" => "社会化增幅";
    "costs.socialisation_funding" => "社会化财政投入";
    "costs.systems_gain" => "智能化增益";
    "costs.systems_cost" => "智能化系统成本";
    "costs.rule_of_law_gain" => "法治化增益";
    "costs.rule_of_law_enforcement" => "法治化执法力量占比";
    "costs.professionalism_gain" => "专业化增益";
    "costs.professionalism_cost" => "专业化培训成本";
    "costs.value_rotation" => "价值共识收敛速度";
    "costs.value_programme_capacity" => "价值共识建设力量占比";
    "costs.trust_culture_initial" => "信任文化初始信任增量";
    "costs.trust_culture_gain" => "信任文化建信增幅";
    "costs.culture_build_ticks" => "文化培育期";
    "costs.culture_established" => "信任文化已建成";
    "costs.trust_culture_capacity" => "信任文化建设占用力量";
    "costs.nongov_credit_hierarchy" => "科层下非政府伙伴成绩分享比例";
    "costs.measurement_cost" => "考核测量成本";
    "costs.blame_noise" => "错误问责（考核失准）";
    "costs.list_rigidity" => "清单外事项推诿概率";
    "costs.trace_paperwork" => "填表留痕";
    "costs.lookback_attention" => "“回头看”注意力占比";
    "costs.lookback_recognition" => "“回头看”表扬激励";
    "costs.lookback_naming" => "“回头看”点名声誉损失";
    "costs.lookback_value_correction" => "“回头看”价值纠偏";
    "costs.empowerment_capacity" => "赋权基层力量增幅";
    "costs.empowerment_upper_cost" => "赋权基层上级力量下沉比例";
    "costs.empowerment_motivation" => "赋权基层动机提升";
    "costs.party_core_conflict" => "统筹协调消除冲突比例";
    "costs.party_core_attention" => "统筹协调注意力占比";
    "costs.platform_transfer" => "平台型政府力量转移比例";
    "costs.platform_build_ticks" => "社会力量培育期";
    "costs.platform_established" => "平台型政府已建成";
    "costs.block_coordination" => "属地统筹工作量";
    "costs.territorial_offload" => "属地责任泛化";
    "costs.attention_cost" => "督办名额成本";
    "costs.inspection_cost" => "纪检监察成本";
    "costs.media_crowding" => "媒体压力挤出权重";
    "costs.evaluation_fee" => "第三方评估费用";
    "costs.deliberation_conflict" => "议事协调消除冲突比例";
    "costs.deliberation_tau" => "议事协调降低交易成本";
    "costs.deliberation_meeting" => "议事协调会议时间占比";
    "costs.negotiation_effect" => "商议消除抵制比例";
    "costs.negotiation_cost" => "商议成本";
    "costs.sharing_tau" => "信息共享降低交易成本";
    "costs.sharing_demand" => "信息共享释放诉求比例";
    "costs.sharing_cost" => "信息共享系统成本";
    "costs.naming_penalty" => "通报声誉损失";
    "costs.constraints_overhead" => "运行约束预留力量";
    "costs.whistle_response" => "报到工作力量";
    "costs.whistle_clout" => "吹哨督促力度";
    "costs.township_credit" => "街乡考核评价权重";
    "costs.township_evaluation_cost" => "街乡考核评价工作量";
    "observation.warmup_ticks" => "预热期";
    "observation.return_visit_ticks" => "热线回访时间";
    "observation.unsettleable_share" => "无法解决诉求比例";
    "observation.cohort_horizon_ticks" => "新发事项跟踪周数";
    "observation.metric_inflation" => "指标虚高";
    "observation.metric_inflation_from_tick" => "指标虚高起始周";
}

/// The policy source of each lever (`docs/GLOSSARY-ZH.md`, the report's glossary), in the
/// order of the glossary: (key, source). The lever's name is its short name above.
pub const POLICY_SOURCES: &[(&str, &str)] = &[
    ("capability.city_front_line_command", "论文 §1.1；市域社会治理中市级“前线指挥部”的定位"),
    ("capability.socialisation", "党的十九大报告：提高社会治理社会化、法治化、智能化、专业化水平"),
    ("capability.intelligent_systems", "同上（“四化”）"),
    ("capability.rule_of_law", "同上（“四化”）"),
    ("capability.professionalism", "同上（“四化”）"),
    ("motivation.value_programme", "论文 §2.1"),
    ("motivation.trust_culture", "论文 §2.1"),
    ("motivation.equal_partnership", "论文 §2.1：共享成绩与荣誉"),
    ("motivation.incentive_compatibility", "论文 §2.1：考核得分在效用中的权重"),
    ("motivation.responsibility_lists", "地方各级政府工作部门权力清单、责任清单制度（“权责清单”）；论文 §2.1"),
    ("motivation.performance_evaluation", "整治形式主义为基层减负：从“痕迹考核”转向“实绩考核”"),
    ("costs.trace_paperwork", "整治形式主义为基层减负"),
    ("costs.blame_noise", "容错纠错机制与“三个区分开来”"),
    ("motivation.lookback_interval_ticks", "论文 §2.1；督察、巡视中的“回头看”做法"),
    ("motivation.lookback_strength", "论文 §2.1；督察、巡视中的“回头看”做法"),
    ("institutions.grassroots_empowerment", "2021年《中共中央 国务院关于加强基层治理体系和治理能力现代化建设的意见》：赋予乡镇（街道）综合管理权、统筹协调权、应急处置权；权责对等"),
    ("institutions.party_core", "论文 §2.2：发挥党的全面领导“一元轴心”作用，党委总揽全局、协调各方"),
    ("institutions.platform_government", "论文 §2.2；“放管服”改革方向（从“全包办”转向“搭平台”）"),
    ("institutions.block_led", "论文 §2.2；条块关系中“以块为主、条块结合”"),
    ("institutions.limited_territorial_liability", "论文 §2.2：规范属地管理的“有限责任”；整治形式主义为基层减负中的规范属地管理"),
    ("costs.territorial_offload", "同上：职能部门向属地转嫁责任"),
    ("tools.superior_attention", "论文 §2.3（常态化治理工具）"),
    ("tools.attention_detection", "论文 §2.3：上级督办"),
    ("tools.discipline_inspection", "论文 §2.3"),
    ("tools.media_pressure", "论文 §2.3：舆论监督"),
    ("tools.third_party_evaluation", "论文 §2.3"),
    ("process.deliberation", "论文 §2.4（全流程协同联动机制）"),
    ("process.negotiation", "论文 §2.4"),
    ("process.information_sharing", "论文 §2.4"),
    ("process.operating_constraints", "论文 §2.4"),
    ("process.whistle_and_report", "北京“街乡吹哨、部门报到”（2018年起）；其后的“接诉即办”"),
    ("process.township_evaluation", "北京“街乡吹哨、部门报到”中街乡对职能部门的考核评价权"),
];

/// The short name of parameter `key` in `lang`: the Chinese name of the table, or in English
/// the key's last part in words (`responsibility lists`); an intervention's week
/// (`interventions.2.tick`) as 第2项干预的起始周, a value it sets
/// (`interventions.2.motivation.responsibility_lists`) as 第2项干预的权责清单a. A key the table does not know (none
/// does, by test) is shown as its last part.
pub fn param_name(key: &str, lang: Lang) -> String {
    use crate::experiment::InterventionKey;
    // A design key addressing the week of the base scenario's N-th intervention, or a value
    // it sets.
    match crate::experiment::intervention_key(key) {
        Some(InterventionKey::Week(n)) => {
            return match lang {
                Lang::En => format!("week of intervention {n} (0 = none)"),
                Lang::Zh => format!("第{n}项干预的起始周（0＝不实施）"),
            }
        }
        Some(InterventionKey::Value(n, param)) => {
            return match lang {
                Lang::En => format!("{} (intervention {n})", param_name(param, lang)),
                Lang::Zh => format!("第{n}项干预的{}", param_name(param, lang)),
            }
        }
        None => {}
    }
    let leaf = key.rsplit('.').next().unwrap_or(key);
    match lang {
        Lang::Zh => NAMES_ZH
            .iter()
            .find(|(k, _)| *k == key)
            .map_or_else(|| leaf.to_string(), |(_, zh)| zh.to_string()),
        Lang::En => leaf.replace('_', " "),
    }
}

/// A parameter value in words, as a setting reads in a sentence: booleans as on/off
/// (开启／关闭), numbers as written.
pub fn value_words(v: ParamValue, lang: Lang) -> String {
    match v {
        ParamValue::Bool(b) => lang
            .pick(
                if b { "on" } else { "off" },
                if b { "开启" } else { "关闭" },
            )
            .to_string(),
        other => other.to_string(),
    }
}

/// One change of an intervention in words: `权责清单a 0→1`, `responsibility lists 0→1`.
pub fn change_words(key: &str, from: ParamValue, to: ParamValue, lang: Lang) -> String {
    format!(
        "{} {}→{}",
        param_name(key, lang),
        value_words(from, lang),
        value_words(to, lang)
    )
}

/// An intervention in words: "from week 27: responsibility lists 0→1; media pressure 0→0.1"
/// (第27周起：权责清单a 0→1；媒体曝光 0→0.1). `changes` holds (key, before, after).
pub fn intervention_words(
    tick: u32,
    changes: &[(&str, ParamValue, ParamValue)],
    lang: Lang,
) -> String {
    let parts: Vec<String> = changes
        .iter()
        .map(|(k, from, to)| change_words(k, *from, *to, lang))
        .collect();
    match lang {
        Lang::En => format!("from week {tick}: {}", parts.join("; ")),
        Lang::Zh => format!("第{tick}周起：{}", parts.join("；")),
    }
}

/// Each intervention of `sc` in tick order (file order within a week, the order the model
/// applies them) with its changes in words, each from the value it had just before.
pub fn interventions_in_words(sc: &Scenario, lang: Lang) -> Vec<(&LabelledIntervention, String)> {
    let mut order: Vec<&LabelledIntervention> = sc.interventions.iter().collect();
    order.sort_by_key(|i| i.intervention.tick);
    let mut p = sc.params.clone();
    order
        .into_iter()
        .map(|i| {
            let iv = &i.intervention;
            let changes: Vec<(&str, ParamValue, ParamValue)> = iv
                .changes
                .iter()
                .map(|(k, v)| {
                    let before = p.get(k).unwrap_or(*v);
                    let _ = p.set(k, *v);
                    (k.as_str(), before, *v)
                })
                .collect();
            (i, intervention_words(iv.tick, &changes, lang))
        })
        .collect()
}

/// The lever table of `docs/GLOSSARY-ZH.md`: key, Chinese name, policy source.
pub fn glossary_markdown() -> String {
    let mut s = String::from("| 参数 key | 中文名称 | 政策出处 · source |\n|---|---|---|\n");
    for (key, source) in POLICY_SOURCES {
        s.push_str(&format!(
            "| `{key}` | {} | {source} |\n",
            param_name(key, Lang::Zh)
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::params::{param_specs, spec_of};

    #[test]
    fn every_parameter_has_one_chinese_short_name_and_no_other_key_has_one() {
        let keys: Vec<&str> = param_specs().iter().map(|s| s.key).collect();
        let named: Vec<&str> = NAMES_ZH.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            named, keys,
            "NAMES_ZH follows the parameter table, in its order"
        );
        for (key, zh) in NAMES_ZH {
            assert!(!zh.trim().is_empty(), "{key}");
            assert!(!zh.is_ascii(), "{key}: a Chinese name, not a key");
        }
        let mut unique: Vec<&str> = NAMES_ZH.iter().map(|(_, zh)| *zh).collect();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), NAMES_ZH.len(), "one name names one parameter");
        for (key, _) in POLICY_SOURCES {
            assert!(spec_of(key).is_some(), "{key}");
        }
    }

    #[test]
    fn interventions_read_as_words() {
        let ch = [(
            "motivation.responsibility_lists",
            ParamValue::Float(0.0),
            ParamValue::Float(1.0),
        )];
        assert_eq!(
            intervention_words(27, &ch, Lang::Zh),
            "第27周起：权责清单a 0→1"
        );
        assert_eq!(
            intervention_words(27, &ch, Lang::En),
            "from week 27: responsibility lists 0→1"
        );
        assert_eq!(
            change_words(
                "process.whistle_and_report",
                ParamValue::Bool(false),
                ParamValue::Bool(true),
                Lang::Zh
            ),
            "吹哨报到 关闭→开启"
        );
    }
}
