//! Speaker finding on small news-style texts, one pattern per test.
use super::*;

/// The speaker (as written) and resolved name of each quote of a plain text.
fn speakers(text: &str) -> Vec<Option<(String, String)>> {
    let attributor = Attributor::new(text, TextFormat::PlainText);
    attributor
        .quotes()
        .map(|(_, a)| a.map(|a| (a.speaker.clone(), a.name.clone())))
        .collect()
}

fn first(text: &str) -> (String, String) {
    speakers(text)
        .into_iter()
        .next()
        .flatten()
        .unwrap_or_else(|| panic!("no speaker in {text}"))
}

/// Every attribution found in a plain text, in order (quotes without a speaker left out).
fn attributions(text: &str) -> Vec<Attribution> {
    Attributor::new(text, TextFormat::PlainText)
        .quotes()
        .filter_map(|(_, a)| a.cloned())
        .collect()
}

#[test]
fn speaker_after_the_quote() {
    assert_eq!(
        first("\"We will not pay for this,\" Ms Okafor said.").0,
        "Ms Okafor"
    );
    assert_eq!(
        first("\"We will not pay for this,\" said Amara Okafor.").0,
        "Amara Okafor"
    );
    assert_eq!(
        first("\"We will not pay,\" said Okafor on Monday.").0,
        "Okafor"
    );
    assert_eq!(
        first("\"We will not pay,\" Okafor said Monday.").0,
        "Okafor"
    );
    assert_eq!(
        first("\"We will not pay,\" Hugh Hill, a doctor at the clinic, said.").0,
        "Hugh Hill"
    );
    assert_eq!(first("\"We will not pay,\" Hill told reporters.").0, "Hill");
    assert_eq!(first("\"We will not pay,\" according to Hill.").0, "Hill");
    assert_eq!(first("\"Why would we pay?\" asked Hill.").0, "Hill");
}

#[test]
fn speaker_before_the_quote() {
    assert_eq!(
        first("Mayor Okafor warned: \"We will not pay for this.\"").0,
        "Mayor Okafor"
    );
    assert_eq!(
        first("Okafor told reporters on Monday that \"we will not pay.\"").0,
        "Okafor"
    );
    assert_eq!(
        first("According to Okafor, \"we will not pay.\"").0,
        "Okafor"
    );
    assert_eq!(
        first("In a statement, Prime Minister Jane Doe said \"we will not pay.\"").0,
        "Prime Minister Jane Doe"
    );
    assert_eq!(
        first("Hugh Hill, a doctor, said: \"We will not pay.\"").0,
        "Hugh Hill"
    );
}

#[test]
fn pronouns_resolve_to_the_nearest_person() {
    let text = "Amara Okafor chaired the meeting.\n\n\"We will not pay for this,\" she said.";
    assert_eq!(first(text), ("she".into(), "Amara Okafor".into()));
    let text = "Mr Lindqvist and Ms Okafor spoke. \"We will not pay for this,\" she said.";
    assert_eq!(first(text).1, "Ms Okafor");
}

#[test]
fn re_quoted_quotes_go_to_the_inner_speaker() {
    assert_eq!(
        first("Smith said Jones told him \"the money is gone.\"").0,
        "Jones"
    );
}

#[test]
fn two_speakers_in_one_paragraph() {
    let text = "\"We will pay,\" said Smith. \"We will not,\" Jones replied.";
    let all = speakers(text);
    assert_eq!(all[0].as_ref().unwrap().0, "Smith");
    assert_eq!(all[1].as_ref().unwrap().0, "Jones");
}

#[test]
fn roles_resolve_through_aliases() {
    let text = "Russian President Vladimir Putin met the press.\n\n\"We will respond,\" the Russian leader said.";
    let a = Attributor::new(text, TextFormat::PlainText);
    let found = a.quotes().next().unwrap().1.unwrap().clone();
    assert_eq!(found.speaker, "the Russian leader");
    assert_eq!(found.name, "Russian President Vladimir Putin");
    assert_eq!(found.key, "putin");
}

#[test]
fn groups_and_outlets_are_not_people() {
    let text = "\"The plan is dead,\" officials said.";
    let a = Attributor::new(text, TextFormat::PlainText);
    assert_eq!(
        a.quotes().next().unwrap().1.unwrap().kind,
        SpeakerKind::Group
    );
    let text = "\"The plan is dead,\" according to Reuters.";
    let a = Attributor::new(text, TextFormat::PlainText);
    assert_eq!(
        a.quotes().next().unwrap().1.unwrap().kind,
        SpeakerKind::Outlet
    );
}

#[test]
fn blockquote_dash_lines_and_colon_introductions() {
    let text = "> We will not pay for this.\n>\n> — Amara Okafor, council leader\n";
    let a = Attributor::new(text, TextFormat::Markdown);
    assert_eq!(
        a.quotes().next().unwrap().1.unwrap().speaker,
        "Amara Okafor"
    );
    let text = "Okafor warned:\n\n\"We will not pay for this.\"\n";
    assert_eq!(first(text).0, "Okafor");
}

#[test]
fn multi_paragraph_quotes_closed_by_he_added() {
    let text = "Tom Lindqvist spoke first.\n\n\"We will not pay for this.\n\n\"Not now, not ever,\" he added.";
    assert_eq!(first(text), ("he".into(), "Tom Lindqvist".into()));
}

#[test]
fn passages_without_marks_take_the_sentence_cue() {
    let text = "Okafor said that the council will not pay for this.";
    let start = text.find("the council").unwrap();
    let a = Attributor::new(text, TextFormat::PlainText);
    assert_eq!(a.at(&(start..text.len() - 1)).unwrap().speaker, "Okafor");
}

#[test]
fn long_appositives_and_relative_clauses_pass_over_to_the_name() {
    assert_eq!(
        first("\"The levy is unlawful,\" Rosa Vidal, the attorney general of Leon, one of the states suing the agency, said at a hearing.").0,
        "Rosa Vidal"
    );
    assert_eq!(
        first("Tomas Greer, a planner who attended the meeting, recalled, \"Nobody wanted to speak first.\"").0,
        "Tomas Greer"
    );
    assert_eq!(
        first("\"The numbers do not add up,\" Ines Moro, the director of the Harbour Trust and whose group filed the claim, told the council.").0,
        "Ines Moro"
    );
}

#[test]
fn verbs_with_addressees_and_surname_titles() {
    assert_eq!(
        first("\"We will reopen the pit,\" Mr. Dunn told some of the miners.").0,
        "Mr. Dunn"
    );
    assert_eq!(
        first("\"It is about enthusiasm,\" Mr. King added.").1,
        "Mr. King"
    );
    assert_eq!(
        first("\"It is about enthusiasm,\" said Charlie King, a strategist.").1,
        "Charlie King"
    );
}

#[test]
fn participles_and_coordinated_verbs_find_their_subject() {
    assert_eq!(
        first("The advert ends with footage of Halvorsen saying, \"That makes me careful,\" as the crowd cheers.").0,
        "Halvorsen"
    );
    assert_eq!(
        first("Halvorsen posted a string of messages early Friday saying that his rival had shown poor judgment in praising the plan \"as a model of thrift.\"").0,
        "Halvorsen"
    );
    assert_eq!(
        first("Ruth Adeyemi, the former minister, praised the harbour plan and said she had what the job needs: \"Patience, and more patience.\"").0,
        "Ruth Adeyemi"
    );
    // An outlet or a weekday in the phrase before the name does not make it the speaker.
    assert_eq!(
        first("In a Reuters interview Adeyemi declared \"the plan is dead.\"").0,
        "Adeyemi"
    );
}

#[test]
fn a_quote_after_a_reported_sentence_continues_its_speaker() {
    let text = "The board may wait until the audit is done, Okafor said. \"The other question is whether waiting looks like hiding.\"";
    assert_eq!(first(text).0, "Okafor");
    let text = "Okafor said the plan would fail. \"It cannot work without the grant.\"";
    assert_eq!(first(text).0, "Okafor");
    // A question or an exclamation before the quote is no reported sentence.
    let text = "Who will pay for it? \"Not the council, that much is certain.\"";
    assert_eq!(speakers(text), vec![None]);
}

#[test]
fn a_pronoun_confirmed_by_the_previous_quote_is_confident() {
    let text = "Senator Ann Marsh questioned the bank's chief, John Stott, and his deputy, Lee Park. \"This just is not right,\" Marsh said. \"You squeezed the staff\" to lift the share price, she said. \"You went on television to blame the tellers.\"";
    let found = attributions(text);
    assert_eq!(found.len(), 3);
    assert!(
        found
            .iter()
            .all(|a| a.name.contains("Marsh") && a.is_confident()),
        "{found:?}"
    );
}

#[test]
fn documents_bodies_and_relatives_are_speakers_of_their_kind() {
    let text = "\"The harbour will not recover this year,\" the IMF report stated.";
    let found = attributions(text).into_iter().next().expect("a speaker");
    assert_eq!(
        (found.speaker.as_str(), found.kind),
        ("the IMF report", SpeakerKind::Group)
    );
    assert_eq!(first("\"The levy is fair,\" the IMF stated.").0, "the IMF");
    assert_eq!(
        first("\"We live in hard times,\" my father often said.").0,
        "my father"
    );
    assert_eq!(
        first("During the debate a friend commented: \"The harbour matters most.\"").0,
        "a friend"
    );
    assert_eq!(
        first("\"A lawful source of income,\" as a Treasury memo put it.").0,
        "a Treasury memo"
    );
    assert_eq!(
        first("\"The comeback of the decade,\" the article read.").0,
        "the article"
    );
    // `it`: a body or a document named before, never a person.
    let text = "\"The harbour is known for its trophy projects,\" it further wrote.";
    let found = attributions(text).into_iter().next().expect("a speaker");
    assert_eq!(
        (
            found.speaker.as_str(),
            found.person.is_none(),
            found.is_confident()
        ),
        ("it", true, false)
    );
    // `said reports`: a verb before a document noun is still the verb.
    assert_eq!(
        first("Okafor said reports were false: \"Not one of them is true.\"").0,
        "Okafor"
    );
}

#[test]
fn a_paragraph_of_quote_alone_continues_the_previous_speaker_unsurely() {
    let text = "\"No one is writing songs for the council,\" Amara Okafor said.\n\n\"Right now, the vote is against the mayor.\"";
    let found = attributions(text);
    assert_eq!(found.len(), 2);
    assert_eq!(found[1].name, "Amara Okafor");
    assert!(!found[1].is_confident(), "{:?}", found[1]);
}

#[test]
fn pronouns_read_as_a_reader_reads_them() {
    // A person the pronoun `he` referred to is a man: a later `she` does not land on him.
    let text = "Her son, Charlie Moss, filmed it. \"It was wet,\" he said.\n\nThe sculptor was calm. \"I was terrified,\" she said.";
    let found = speakers(text);
    assert_eq!(found[0].as_ref().unwrap().1, "Charlie Moss");
    assert_ne!(
        found[1].as_ref().map(|s| s.1.as_str()),
        Some("Charlie Moss")
    );
    // The person a cue addresses is not its speaker.
    let text = "Paul Brandt praised Ines Varga.\n\n\"I learn from her every year,\" he told Varga.";
    assert_eq!(first(text).1, "Paul Brandt");
    // A lone surname that speaks, or that a relative `who` follows, is a person; a possessive is no part
    // of the name; a sentence-opening participle is no part of it either.
    let text = "\"We won,\" Benioff said. Later he spoke again: \"We won twice,\" he said.";
    assert_eq!(speakers(text)[1].as_ref().unwrap().1, "Benioff");
    let text = "Buckley, who sang it, was moved. \"It moved me,\" she said.";
    assert_eq!(first(text).1, "Buckley");
    let text = "Mary Steenburgen wrote it. Steenburgen’s son was there. \"I was moved,\" she said.";
    assert_eq!(first(text).1, "Steenburgen");
    let text = "Hosting Irving Cook at the fair, the mayor smiled. \"Welcome,\" he said.";
    assert_eq!(first(text).1, "Irving Cook");
}
