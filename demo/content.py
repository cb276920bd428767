"""The demo content, as plain data: edit it here and load it into a fresh database with `manage.py load_demo`.

Facts and structure come from the department's source page on bone pain from cancer
(see DESIGN.md, "Demo content"); every sentence is written afresh in plain UK English.
Rich text uses only the tags the editor offers: p, h3, h4, strong, em, a, ul, ol, li,
blockquote and tables. Pages own their h1 and h2 headings, so rich text never uses them.

A link to another demo page names the page, not its address: href="procedure:nerve-block". The
loader puts in the page's own address (get_absolute_url()), so no URL is written here.
"""

import datetime


def html(text):
    """Rich text written over several source lines, collapsed onto one line for storage."""
    return " ".join(text.split())


# Next review due is left out: the pages set it from the review interval (REVIEW_INTERVAL_DAYS).
REVIEW = {
    "status": "published",
    "last_reviewed": datetime.date(2026, 11, 2),
    "reviewed_by": "Consultant interventional radiologist",
}

MODALITIES = [
    {"slug": "x-ray", "name": "X-ray (fluoroscopy)"},
    {"slug": "ct", "name": "CT"},
    {"slug": "ultrasound", "name": "Ultrasound"},
    {"slug": "mri", "name": "MRI"},
]

CATEGORIES = [
    {
        "slug": "nerve-block-and-ablation",
        "name": "Nerve block and ablation",
        "order": 1,
        "summary": "Injections and treatments that calm or switch off the nerves carrying pain.",
    },
    {
        "slug": "cementoplasty",
        "name": "Cementoplasty",
        "order": 2,
        "summary": "Bone cement injected into a weakened or broken bone to strengthen it and ease pain.",
    },
    {
        "slug": "tumour-ablation",
        "name": "Tumour ablation",
        "order": 3,
        "summary": "Destroying tumour cells with extreme heat or cold, through thin probes guided by scans.",
    },
]

# Shared passages, used by more than one procedure.

_BLOOD_THINNERS = html("""
    If you take medicines that affect how your blood clots, tell the team well before your appointment.
    These include antiplatelet medicines such as aspirin or clopidogrel (Plavix), and blood thinners
    (anticoagulants) such as warfarin or low-molecular-weight heparin injections, for example Clexane.
    You may be asked to stop them for a set time beforehand; how long depends on the medicine.
    Only stop a medicine when you have been told to, and ask if you are not sure.
""")

_SEDATION_SAFETY = html("""
    If you have sedation or a general anaesthetic, a responsible adult should stay with you for the
    first night, and for 24 hours afterwards you should not drive, drink alcohol or sign anything
    important.
""")

_CEMENT_RISKS = html("""
    <p>Serious problems are uncommon, but like any procedure it carries some risks. Your doctor will
    explain the ones that apply to you before you agree to go ahead. They include:</p>
    <ul>
      <li>soreness or bruising where the needle went in, for a few days</li>
      <li>a small amount of cement leaking outside the bone. This is fairly common and usually causes
      no problems, but rarely the cement can press on a nerve or travel in a vein towards the lungs</li>
      <li>bleeding or infection</li>
      <li>pain that does not improve as much as hoped</li>
      <li>rarely, damage to a nerve or the spinal cord, which could need further treatment,
      including surgery</li>
      <li>reactions to the sedation or anaesthetic</li>
    </ul>
""")

_CEMENT_PREPARATION = html(f"""
    <p>You may have an appointment beforehand to check your general health and go through your
    medicines, and you may need a blood test. Because you will have sedation or an anaesthetic, you
    will be told when to stop eating and drinking. Please follow these instructions closely.</p>
    <p>{_BLOOD_THINNERS}</p>
    <p>Bring a list of your medicines and what you need for a stay of one or two nights, and arrange
    for someone to take you home. {_SEDATION_SAFETY}</p>
""")

_CEMENT_AFTERCARE = html("""
    <p>You will need to lie still, usually flat on your back, for a few hours while the cement fully
    sets and the nurses keep an eye on you. After that you can usually get up and start moving around,
    putting weight on the treated area as much as feels comfortable.</p>
    <p>Most people stay in hospital for one or two nights. The place where the needle went in may be
    sore for a few days; your usual painkillers should help. Many people are back to their normal
    activities within a few days. If your illness is more advanced, you may need more help for a while,
    and the team will talk with you about the support you need.</p>
    <p>Get medical help straight away if you develop new weakness or numbness in your legs, severe
    pain that keeps getting worse, shortness of breath or chest pain, or a high temperature.</p>
""")


def _ablation_risks(energy):
    return html(f"""
        <p>Your doctor will explain the risks that apply to you before you agree to go ahead. They
        include:</p>
        <ul>
          <li>pain in the treated area for a few days; it can feel worse at first before it improves</li>
          <li>flu-like symptoms, such as a raised temperature and aches, for a few days (sometimes called
          post-ablation syndrome)</li>
          <li>damage from the {energy} to nearby nerves, skin or other tissues, which the team takes great
          care to avoid</li>
          <li>the treated bone breaking later, which is one reason ablation is often combined with
          cementoplasty</li>
          <li>bleeding or infection, which are uncommon</li>
          <li>some of the tumour surviving, so that further treatment is needed</li>
          <li>reactions to the sedation or anaesthetic</li>
        </ul>
    """)


_ABLATION_PREPARATION = html(f"""
    <p>Before the procedure, the interventional radiologist will study your scans carefully to plan the
    treatment. You may have an appointment to check your general health, with blood tests. You will be
    told when to stop eating and drinking beforehand; please follow these instructions closely.</p>
    <p>{_BLOOD_THINNERS}</p>
    <p>Plan to stay in hospital for at least one night, bring a list of your medicines, and arrange for
    someone to take you home. {_SEDATION_SAFETY}</p>
""")

_ABLATION_AFTERCARE = html("""
    <p>You will be looked after on the ward while the anaesthetic or sedation wears off. The nurses
    will check your pulse, blood pressure and comfort, and give you pain relief if you need it.</p>
    <p>Many people go home the next day. If you had cementoplasty at the same time, or a more complex
    treatment, you may stay one or two nights. You can usually start moving about and putting weight on
    the area as comfort allows. Some people feel tired or have flu-like symptoms for a few days.</p>
    <p>It can take from a few days to a few weeks for the pain to settle. You will have follow-up,
    which may include scans to see how the tumour has responded. Contact the team or your GP if you have
    a high temperature that does not settle, the needle sites become red, hot or swollen, or you notice
    new weakness or numbness.</p>
""")

_NERVE_PREPARATION = html(f"""
    <p>The team will tell you whether you need to stop eating and drinking beforehand, and when.</p>
    <p>{_BLOOD_THINNERS}</p>
    <p>Let the team know if you have any allergies, especially to local anaesthetic or to X-ray
    contrast dye. Please arrange for someone to take you home, as you should not drive on the day.
    {_SEDATION_SAFETY}</p>
""")
# Each page's printed leaflet reference (its footer reads e.g. "IR-CEM-001 v1, approved …").
LEAFLET_REFERENCES = {
    "bone-pain-from-cancer": "IR-BON-001",
    "nerve-block": "IR-NBA-001",
    "nerve-ablation": "IR-NBA-002",
    "cementoplasty": "IR-CEM-001",
    "vertebroplasty": "IR-CEM-002",
    "kyphoplasty": "IR-CEM-003",
    "radiofrequency-ablation": "IR-TAB-001",
    "microwave-ablation": "IR-TAB-002",
    "cryoablation": "IR-TAB-003",
}


# Procedures. A parent must come before its variants.
PROCEDURES = [
    {
        "slug": "nerve-block",
        "name": "Nerve block",
        "category": "nerve-block-and-ablation",
        "parent": None,
        "summary": "An injection of medicine next to the nerves carrying pain from an area affected by cancer, "
        "guided by scans through a small needle. Most people go home the same day.",
        "imaging_guidance": ["x-ray", "ct", "ultrasound"],
        "sedation": "local",
        "typical_stay": "day_case",
        "what_it_is": html("""
            <p>A nerve block is an injection of medicine right next to the nerves that are carrying pain
            from an area affected by cancer. The medicine is usually a local anaesthetic, sometimes with a
            steroid to calm inflammation. It stops the nerve passing on pain signals for a while.</p>
            <p>It is a minimally invasive, or percutaneous, procedure: it is done through a small needle
            in the skin, not through an operation.</p>
        """),
        "how_it_is_done": html("""
            <p>You lie on the table in whichever position gives the easiest route to the nerve. The
            interventional radiologist cleans your skin and numbs it with an injection of local
            anaesthetic.</p>
            <p>Using X-ray, CT or ultrasound images, sometimes a combination of them, they guide a small
            needle to the nerve. Once it is in the right place, the medicine is injected, the needle is
            removed and a small plaster is put on. You stay awake, and the team will talk to you
            throughout.</p>
            <p>A nerve block is usually done as a day case, so most people go home the same day.</p>
        """),
        "benefits": html("""
            <p>A nerve block can ease pain quickly, sometimes within hours. Some people find they need
            fewer strong painkillers afterwards, and so have fewer of their side effects.</p>
            <p>The effect can be temporary. If the block helps but wears off, the team may talk with you
            about repeating it, or about <a href="procedure:nerve-ablation">nerve ablation</a>, which
            aims to give longer-lasting relief.</p>
        """),
        "risks": html("""
            <p>Nerve blocks are generally low-risk, but as with any treatment, problems can happen. Your
            doctor will explain the risks that apply to you before you agree to go ahead. They include:</p>
            <ul>
              <li>soreness or bruising where the needle went in</li>
              <li>numbness or weakness in the area the nerve supplies, which usually wears off as the
              medicine does</li>
              <li>a short flare of pain for a day or two</li>
              <li>bleeding or infection, which are uncommon</li>
              <li>the block not easing your pain, or the relief not lasting long</li>
              <li>if you have diabetes, a raised blood sugar for a few days if a steroid was used</li>
            </ul>
        """),
        "preparation": _NERVE_PREPARATION,
        "aftercare": html("""
            <p>You will rest for a short while as the nurses check on you. If part of your body feels numb
            or heavy, this should wear off within a few hours; take care moving about until it does.</p>
            <p>Do not drive for the rest of the day. Keep taking your usual painkillers unless you are told
            otherwise, and notice how your pain changes over the next few days: this helps the team plan
            what comes next.</p>
            <p>Contact the team or your GP if the needle site becomes red, hot or swollen, you have a high
            temperature, or you notice new weakness or numbness that does not wear off.</p>
        """),
    },
    {
        "slug": "nerve-ablation",
        "name": "Nerve ablation",
        "category": "nerve-block-and-ablation",
        "parent": None,
        "summary": "Heat or cold applied through a specialised needle, guided by scans, to quieten or destroy a "
        "nerve carrying cancer pain. It aims to give longer relief than a nerve block.",
        "imaging_guidance": ["x-ray", "ct", "ultrasound"],
        "sedation": "conscious",
        "typical_stay": "day_case",
        "what_it_is": html("""
            <p>Nerve ablation treats pain by applying very high or very low temperatures to a nerve that
            is carrying pain signals. Depending on the nerve and the aim, it either changes the way the
            nerve works (sometimes called modulating it) or destroys it, so that it can no longer pass on
            the pain.</p>
            <p>It is guided in the same way as a <a href="procedure:nerve-block">nerve block</a>, but
            uses more specialised needles. It is often considered when a nerve block has helped but the
            effect has worn off.</p>
        """),
        "how_it_is_done": html("""
            <p>Your skin is numbed with local anaesthetic, and you may be given medicine through a drip to
            help you relax (sedation). Using X-ray, CT or ultrasound images, the interventional radiologist
            guides a specialised needle to lie next to the nerve.</p>
            <p>Before treating, the team may send a tiny electrical signal down the needle to check it is
            in the right place, and ask you what you feel. The tip of the needle is then heated or cooled
            for a few minutes.</p>
            <p>Many people go home the same day; some stay overnight.</p>
        """),
        "benefits": html("""
            <p>Nerve ablation aims to ease pain for longer than a nerve block. If it works well, it may
            help you sleep better, move more easily and need fewer strong painkillers. Nerves can
            sometimes recover over time, so the treatment can be repeated if needed.</p>
        """),
        "risks": html("""
            <p>Your doctor will explain the risks that apply to you before you agree to go ahead. They
            include:</p>
            <ul>
              <li>soreness or bruising where the needle went in, and rarely infection</li>
              <li>a temporary increase in pain, or a burning or tingling feeling, for a few days or weeks
              while the nerve settles</li>
              <li>numbness in the area the nerve supplied, which may be long-lasting</li>
              <li>weakness, if the nerve also works muscles; the team chooses which nerves to treat
              carefully to avoid this</li>
              <li>bleeding, which is uncommon</li>
              <li>the treatment not easing your pain as much as hoped</li>
            </ul>
        """),
        "preparation": _NERVE_PREPARATION,
        "aftercare": html("""
            <p>You will rest for a few hours while the nurses check your blood pressure, pulse and
            comfort. Numbness from the local anaesthetic wears off within a few hours.</p>
            <p>It can take a few days, sometimes a couple of weeks, to feel the full benefit. Keep taking
            your painkillers until you and your doctor agree they can be reduced.</p>
            <p>Contact the team or your GP if the needle site becomes red, hot or swollen, you have a high
            temperature, or you notice new weakness or pain that is getting worse rather than better.</p>
        """),
    },
    {
        "slug": "cementoplasty",
        "name": "Cementoplasty",
        "category": "cementoplasty",
        "parent": None,
        "summary": "Medical bone cement is injected into a bone that cancer has weakened or broken, usually in "
        "the spine or pelvis, to make it stronger and ease pain.",
        "imaging_guidance": ["x-ray", "ct"],
        "sedation": "conscious",
        "typical_stay": "one_to_two_nights",
        "what_it_is": html("""
            <p>Cancer can weaken a bone so much that it cracks or breaks (a fracture), which is often very
            painful. This happens most often in the spine and the pelvis.</p>
            <p>In cementoplasty, a special medical bone cement is injected through a needle into the
            weakened or broken bone. The cement hardens within minutes and supports the bone from the
            inside, making it stronger and, at the same time, often easing the pain.</p>
            <p>Cementoplasty of the spine is called <a href="procedure:vertebroplasty">vertebroplasty</a>.
            <a href="procedure:kyphoplasty">Kyphoplasty</a> is a type of vertebroplasty in which a small
            balloon is used first to try to restore some of the height the bone has lost.</p>
        """),
        "how_it_is_done": html("""
            <p>You will have at least conscious sedation: medicine through a drip that makes you relaxed
            and drowsy. Some people have a general anaesthetic instead. The skin over the bone is numbed
            with local anaesthetic.</p>
            <p>Guided by X-ray or CT images, the interventional radiologist passes a specialised needle
            through the skin and into the bone. These needles are larger than the ones used for a nerve
            block. The cement is injected slowly while the team watches on the images to see exactly where
            it goes. The needle is then removed and a small dressing put on; no stitches are needed.</p>
            <p>Most people stay in hospital for one or two nights.</p>
        """),
        "benefits": html("""
            <p>Cementoplasty can:</p>
            <ul>
              <li>ease pain, sometimes within a day or two</li>
              <li>make the bone stronger and less likely to break further</li>
              <li>help you stand, walk and move about more comfortably</li>
              <li>reduce the amount of painkillers you need</li>
            </ul>
            <p>It can be done on its own, or straight after tumour ablation, such as
            <a href="procedure:cryoablation">cryoablation</a>, in the same procedure.</p>
        """),
        "risks": _CEMENT_RISKS,
        "preparation": _CEMENT_PREPARATION,
        "aftercare": _CEMENT_AFTERCARE,
    },
    {
        "slug": "vertebroplasty",
        "name": "Vertebroplasty",
        "category": "cementoplasty",
        "parent": "cementoplasty",
        "summary": "Cementoplasty of the spine: bone cement is injected into a spinal bone that cancer has "
        "weakened or broken, to strengthen it and ease back pain.",
        "imaging_guidance": ["x-ray", "ct"],
        "sedation": "conscious",
        "typical_stay": "one_to_two_nights",
        "what_it_is": html("""
            <p>Vertebroplasty is <a href="procedure:cementoplasty">cementoplasty</a> of the spine. The
            spine is a column of bones called vertebrae. If cancer weakens one of them, it can crack or
            partly collapse, causing back pain.</p>
            <p>In vertebroplasty, medical bone cement is injected into the affected vertebra. As it
            hardens, it supports the bone from within, which can make it stronger and ease the pain.</p>
        """),
        "how_it_is_done": html("""
            <p>You usually lie on your front on the X-ray or CT table. You will have conscious sedation or
            a general anaesthetic, and the skin of your back is numbed with local anaesthetic.</p>
            <p>Guided by X-ray or CT images, the interventional radiologist passes one or two specialised
            needles through your back into the vertebra. The cement is injected slowly while the team
            watches on the images to check it stays inside the bone. The needles are then removed and
            small dressings put on.</p>
            <p>It usually takes around an hour, longer if more than one bone is treated. Most people stay
            in hospital for one or two nights.</p>
        """),
        "benefits": html("""
            <p>Vertebroplasty can ease back pain from a weakened or broken vertebra, sometimes within a
            day or two, and make the bone stronger. This can make it easier to sit, stand and walk, and
            may mean you need fewer painkillers.</p>
            <p>If there is a tumour in the bone, vertebroplasty can follow tumour ablation in the same
            procedure.</p>
        """),
        "risks": _CEMENT_RISKS,
        "preparation": _CEMENT_PREPARATION,
        "aftercare": _CEMENT_AFTERCARE,
    },
    {
        "slug": "kyphoplasty",
        "name": "Kyphoplasty",
        "category": "cementoplasty",
        "parent": "cementoplasty",
        "summary": "A type of vertebroplasty in which a small balloon is inflated inside a collapsed spinal bone "
        "to try to restore lost height before bone cement is injected.",
        "imaging_guidance": ["x-ray", "ct"],
        "sedation": "conscious",
        "typical_stay": "one_to_two_nights",
        "what_it_is": html("""
            <p>Kyphoplasty is a type of <a href="procedure:vertebroplasty">vertebroplasty</a>, which is
            cementoplasty of the spine. It is used when cancer has weakened a spinal bone (vertebra) so
            much that it has partly collapsed and lost height.</p>
            <p>Before any cement goes in, a small balloon is inflated inside the bone. This aims to restore
            some of the lost height and makes a space that is then filled with bone cement. It is not
            always possible to regain all of the height.</p>
        """),
        "how_it_is_done": html("""
            <p>You usually lie on your front, with conscious sedation or a general anaesthetic. Guided by
            X-ray or CT images, the interventional radiologist passes a specialised needle through your back
            into the collapsed vertebra, often one on each side.</p>
            <p>A small balloon is passed through each needle and gently inflated to push the bone back
            towards its normal shape. The balloon is then deflated and taken out, and the space it made is
            filled with bone cement, which hardens within minutes. The needles are removed and small
            dressings put on.</p>
            <p>Most people stay in hospital for one or two nights.</p>
        """),
        "benefits": html("""
            <p>Like vertebroplasty, kyphoplasty aims to ease back pain and strengthen the bone. Restoring
            some of the lost height may also help your posture.</p>
            <p>Whether kyphoplasty or vertebroplasty suits you better depends on the shape of the bone and
            your own situation. Your interventional radiologist will talk this through with you.</p>
        """),
        "risks": _CEMENT_RISKS,
        "preparation": _CEMENT_PREPARATION,
        "aftercare": _CEMENT_AFTERCARE,
    },
    {
        "slug": "radiofrequency-ablation",
        "name": "Radiofrequency ablation",
        "category": "tumour-ablation",
        "parent": None,
        "summary": "A thin probe, guided by scans, heats a tumour in the bone to destroy the cancer cells. It is "
        "often done together with cementoplasty.",
        "imaging_guidance": ["ct"],
        "sedation": "general",
        "typical_stay": "overnight",
        "what_it_is": html("""
            <p>Radiofrequency ablation (RFA) destroys a tumour with extreme heat. A thin probe is placed in
            the tumour, and an electrical current at radio frequency passes through its tip. This heats the
            tissue around the tip enough to kill the cancer cells in a carefully controlled area.</p>
            <p>In bone, it is used to treat painful tumours. It is a minimally invasive procedure and is
            often combined with <a href="procedure:cementoplasty">cementoplasty</a>, to strengthen the
            bone at the same time.</p>
        """),
        "how_it_is_done": html("""
            <p>The procedure is usually done under a general anaesthetic or deep sedation. Using CT images
            to guide them, the interventional radiologist passes one or more probes through the skin and
            into the tumour.</p>
            <p>Each probe is heated for several minutes. The team may take extra steps to protect nearby
            nerves and other delicate tissues, such as measuring the temperature around them. If
            cementoplasty is planned as well, it is usually done straight afterwards, often through the
            same needle route.</p>
            <p>Many people stay in hospital for one night.</p>
        """),
        "benefits": html("""
            <p>Radiofrequency ablation can ease pain from a tumour in the bone and help control the tumour
            in that spot. Because it is done through small needle holes rather than an operation, recovery
            is usually quicker than after surgery. It can be used alongside other treatments, and may be an
            option if you have already had radiotherapy to the area.</p>
        """),
        "risks": _ablation_risks("heat"),
        "preparation": _ABLATION_PREPARATION,
        "aftercare": _ABLATION_AFTERCARE,
    },
    {
        "slug": "microwave-ablation",
        "name": "Microwave ablation",
        "category": "tumour-ablation",
        "parent": None,
        "summary": "A thin probe, guided by scans, uses microwave energy to heat and destroy a tumour in the "
        "bone. It is often done together with cementoplasty.",
        "imaging_guidance": ["ct"],
        "sedation": "general",
        "typical_stay": "overnight",
        "what_it_is": html("""
            <p>Microwave ablation is another way of destroying a tumour with extreme heat. A thin probe
            placed in the tumour gives out microwave energy, which heats the tissue around its tip and
            kills the cancer cells in a controlled area.</p>
            <p>It can heat a larger area more quickly than
            <a href="procedure:radiofrequency-ablation">radiofrequency ablation</a>, which can be useful
            for bigger tumours. Your interventional radiologist will suggest the type of ablation that best
            suits your tumour. Like the others, it is minimally invasive and often combined with
            <a href="procedure:cementoplasty">cementoplasty</a>.</p>
        """),
        "how_it_is_done": html("""
            <p>The procedure is usually done under a general anaesthetic or deep sedation. Using CT images
            to guide them, the interventional radiologist places one or more probes through the skin into
            the tumour.</p>
            <p>Microwave energy is then passed through the probes, usually for a few minutes at a time. The
            team may take extra steps to protect nearby nerves and other delicate tissues. If cementoplasty
            is planned as well, it is usually done straight afterwards.</p>
            <p>Many people stay in hospital for one night.</p>
        """),
        "benefits": html("""
            <p>Microwave ablation can ease pain from a tumour in the bone and help control the tumour in
            that spot. It works quickly and can treat larger areas, and because it is done through small
            needle holes rather than an operation, recovery is usually quicker than after surgery.</p>
        """),
        "risks": _ablation_risks("heat"),
        "preparation": _ABLATION_PREPARATION,
        "aftercare": _ABLATION_AFTERCARE,
    },
    {
        "slug": "cryoablation",
        "name": "Cryoablation",
        "category": "tumour-ablation",
        "parent": None,
        "summary": "Thin probes, guided by scans, freeze a tumour in the bone, forming an ice ball that destroys "
        "the cancer cells. It is often done together with cementoplasty.",
        "imaging_guidance": ["ct"],
        "sedation": "general",
        "typical_stay": "overnight",
        "what_it_is": html("""
            <p>Cryoablation destroys a tumour with extreme cold rather than heat. One or more thin probes
            are placed in the tumour and cooled far below freezing. An <strong>ice ball</strong> forms
            around the probe tips and grows to cover the tumour, and the freezing destroys the cancer cells
            inside it.</p>
            <p>The ice ball shows up on CT scans, so the team can watch it grow and check that it covers
            the tumour while keeping clear of delicate structures such as nerves. Like the other kinds of
            ablation, it is minimally invasive and often combined with
            <a href="procedure:cementoplasty">cementoplasty</a>.</p>
        """),
        "how_it_is_done": html("""
            <p>The procedure is usually done under a general anaesthetic or deep sedation. Using CT images
            to guide them, the interventional radiologist places one or more probes through the skin into
            the tumour.</p>
            <p>The probes are then cooled. The freezing is usually done in cycles, freezing, thawing and
            freezing again, with scans taken along the way to check the size of the ice ball. At the end
            the probes are warmed so they can be removed, and small dressings are put on. If cementoplasty
            is planned as well, it is usually done afterwards in the same session.</p>
            <p>Many people stay in hospital for one night.</p>
        """),
        "benefits": html("""
            <p>Cryoablation can ease pain from a tumour in the bone and help control the tumour in that
            spot. Because the edge of the ice ball can be seen on the scans, the treatment can be shaped
            closely around the tumour, which can help when it lies near delicate structures. It is done
            through small needle holes rather than an operation, so recovery is usually quicker than after
            surgery.</p>
        """),
        "risks": _ablation_risks("cold"),
        "preparation": _ABLATION_PREPARATION,
        "aftercare": _ABLATION_AFTERCARE,
    },
]

# "Often combined with" (symmetrical).
RELATED = [
    ("nerve-block", "nerve-ablation"),
    ("radiofrequency-ablation", "cementoplasty"),
    ("microwave-ablation", "cementoplasty"),
    ("cryoablation", "cementoplasty"),
]

CONDITION = {
    "slug": "bone-pain-from-cancer",
    "name": "Bone pain from cancer",
    "summary": "Pain caused by cancer that has spread to the bones, most often the spine and pelvis. "
    "Painkillers help many people; when they are not enough, our team can offer minimally invasive "
    "treatments.",
    "also_known_as": "bone metastases, secondary bone cancer, metastatic bone pain, cancer bone pain, "
    "spinal metastases, percutaneous treatment of bone pain",
    "what_it_is": html("""
        <p>Sometimes cancer that started in another part of the body spreads to the bones. Doctors call
        this secondary bone cancer, or bone metastases. It most often affects the bones of the
        <strong>spine</strong> and the <strong>pelvis</strong> (the ring of bones at the base of your
        trunk, around the hips).</p>
        <p>Cancer in a bone can cause pain in two main ways:</p>
        <ul>
          <li>it can <strong>weaken the bone</strong>, which hurts and makes the bone more likely to crack
          or break</li>
          <li>it can <strong>grow into the nerves</strong> around the bone and press on them</li>
        </ul>
    """),
    "symptoms": html("""
        <p>The pain often starts gently, as a tender or sore spot over the affected bone.</p>
        <p>Over time it can get worse and become severe. You might notice that the pain:</p>
        <ul>
          <li>is there all the time</li>
          <li>carries on through the night</li>
        </ul>
        <p>Some people also get a sharp, shooting pain that runs down a leg when they walk. This is called
        <strong>radicular pain</strong>. It happens when the cancer reaches the nerves as they branch out
        from the spine.</p>
    """),
    # The source page has nothing on prevention, so the section is left out of the page.
    "prevention": "",
    "causes": html("""
        <p>The pain comes from cancer cells that have travelled from the original cancer, settled in a
        bone and started to grow there.</p>
        <p>Some types of cancer spread to the bones more often than others. <strong>Kidney cancer</strong>
        and <strong>breast cancer</strong> are two examples.</p>
    """),
    "diagnosis": html("""
        <p>If you, or someone you care for, has had cancer and starts to get pain like this, tell your
        doctor. They will usually arrange a scan, either <strong>CT</strong> or <strong>MRI</strong>.
        Both show the bones in detail and can find out what is causing the pain.</p>
    """),
    "treatments": html("""
        <p>There are several ways to treat bone pain caused by cancer. What is right for you depends on
        you, your cancer and the bone affected.</p>
        <h3>Painkillers first</h3>
        <p>Your doctor will usually start by prescribing painkillers. If they control your pain well, you
        may not need any other treatment.</p>
        <h3>When painkillers are not enough</h3>
        <p>If your pain does not get better with medicines, our interventional radiology department can
        offer minimally invasive treatments. Interventional radiologists are doctors who use scans to
        guide needles and fine instruments through the skin, so treatment is given through a small
        puncture rather than an operation. Doctors call treatments given this way
        <strong>percutaneous</strong>, which means ‘through the skin’.</p>
        <h4>Nerve block and nerve ablation</h4>
        <p>In a <a href="procedure:nerve-block">nerve block</a>, medicine is injected right next to
        the nerves that the cancer is irritating. A small needle is guided to them using X-ray, CT or
        ultrasound, and most people go home the same day. The relief may wear off after a while. Some
        nerves can instead be treated with <a href="procedure:nerve-ablation">nerve ablation</a>, where heat or
        cold is used to change how the nerve works or to destroy it. This is guided in the same way but
        uses more specialised needles.</p>
        <h4>Cementoplasty</h4>
        <p>If a tumour has caused a break in the spine or pelvis, the damaged area can be filled with
        bone cement. This strengthens the bone and eases the pain at the same time. It is guided by
        X-ray or CT and needs larger, specialised needles. You will have at least conscious sedation
        (medicine to make you relaxed and drowsy), and most people stay in hospital for one or two nights.
        You may hear it called <a href="procedure:vertebroplasty">vertebroplasty</a> when it is done in
        the spine, or <a href="procedure:kyphoplasty">kyphoplasty</a> when a small balloon is first
        inflated inside the bone to try to restore the height it has lost.</p>
        <h4>Tumour ablation</h4>
        <p>Sometimes the best approach is to destroy the tumour cells directly, using extreme heat
        (<a href="procedure:radiofrequency-ablation">radiofrequency</a> or
        <a href="procedure:microwave-ablation">microwave ablation</a>) or extreme cold
        (<a href="procedure:cryoablation">cryoablation</a>). These are minimally invasive too, and are
        often combined with cementoplasty. The interventional radiologist will look at your scans and
        talk with you about what would suit you best.</p>
        <h3>Other treatments</h3>
        <p>Radiotherapy and surgery can also be used to treat bone pain from cancer.</p>
        <h3>Deciding together</h3>
        <p>When you meet the interventional radiologist, they will go through the options that could help
        you. If needed, they will also involve other specialists, such as your cancer doctors, so that
        together you can decide on the treatment that suits you best.</p>
    """),
    "preparation": html("""
        <p>The team caring for you will explain exactly how to get ready for your procedure. In
        particular:</p>
        <ul>
          <li><strong>Eating and drinking:</strong> on the day before the procedure, your doctor or the
          team will tell you from what time to stop eating and drinking (fasting). Please follow these
          instructions closely.</li>
          <li><strong>Medicines that affect bleeding:</strong> tell the team if you take antiplatelet
          medicines such as aspirin or clopidogrel (Plavix), or blood thinners (anticoagulants) such as
          warfarin or low-molecular-weight heparin injections, for example Clexane. You may be asked to
          stop them at the right time before the procedure; how long depends on the medicine. Only stop a
          medicine when you have been told to, and ask if you are not sure.</li>
        </ul>
    """),
    "aftercare": html("""
        <p>How long you stay in hospital depends on which procedure you have and how complex it is. Some
        are done as a day case, so you go home the same day; others need a stay of one or two nights.</p>
        <p>Many people can return to their normal activities within a few days, putting weight on the
        treated area as much as feels comfortable. If your illness is more severe, you may need extra help
        for a while, and the team will talk with you about the support you need.</p>
    """),
    "other_information": html("""
        <p>This page gives general information. The doctors and nurses who know you and your medical
        history are the best people to advise you. It can help to write your questions down before an
        appointment, and to bring someone with you.</p>
        <p>If you have questions about any of these treatments, or you would like to know whether one
        might help you, ask your cancer doctor, your GP or the team who looks after you. They can refer you
        to our interventional radiologists, who will be happy to talk things through with you.</p>
    """),
    # The "When to get help urgently" card: near the top of the page, and again under Symptoms.
    "urgent_signs": "you notice new weakness, numbness or tingling in your legs\n"
    "you have trouble controlling your bladder or bowels\n"
    "your pain suddenly gets much worse",
    "urgent_advice": "These can be signs that the cancer is pressing on your spinal cord (spinal cord "
    "compression), which needs treating within hours to protect the nerves to your legs, bladder and bowels. "
    "Contact your cancer team straight away, on their 24-hour number if you have one, or go to A&E. Do not "
    "wait for your next appointment.",
    "urgent_section": "symptoms",
}

# Treatments listed on the condition page, in this order.
CONDITION_PROCEDURES = [
    "nerve-block",
    "nerve-ablation",
    "cementoplasty",
    "vertebroplasty",
    "kyphoplasty",
    "radiofrequency-ablation",
    "microwave-ablation",
    "cryoablation",
]

# The case study is found again by its condition and title; images by their label.
CASE_STUDY = {
    "title": "Cryoablation of a tumour in the lower spine",
    "summary": "A man in his 60s had pain because his kidney cancer had spread to a bone in his lower spine.",
    "outcome": "After treatment, the tumour was much smaller and his symptoms had improved.",
    "procedure": "cryoablation",
    "consent_recorded": True,
    "order": 1,
    "images": [
        {
            "label": "A",
            "stage": "before",
            "modality": "ct",
            "order": 1,
            "caption": "CT scan before treatment, showing a tumour growing into a bone of the spine (*).",
            "alt_text": "Schematic illustration, not a real scan: a cross-section of a lower spine bone before "
            "treatment, with a rounded tumour, marked with an asterisk, growing into one side of the bone "
            "and out into the muscle beside it.",
            "drawing": {"scene": "before", "heading": "Before treatment (CT)"},
            "filename": "bone-pain-case-a-before.png",
        },
        {
            "label": "B",
            "stage": "during",
            "modality": "ct",
            "order": 2,
            "caption": "CT scan taken during cryoablation, showing how far the ice ball reaches. The freezing "
            "will destroy the tumour cells inside it.",
            "alt_text": "Schematic illustration, not a real scan: the same spine bone during cryoablation, with "
            "two thin probes entering from the back and a pale oval ice ball covering the whole tumour, "
            "stopping short of the spinal canal.",
            "drawing": {"scene": "during", "heading": "During cryoablation (CT)"},
            "filename": "bone-pain-case-b-during.png",
        },
        {
            "label": "C",
            "stage": "after",
            "modality": "ct",
            "order": 3,
            "caption": "CT scan after treatment, showing that the tumour is now much smaller (#).",
            "alt_text": "Schematic illustration, not a real scan: the same spine bone after treatment, with only a "
            "small remaining tumour, marked with a hash sign.",
            "drawing": {"scene": "after", "heading": "After treatment (CT)"},
            "filename": "bone-pain-case-c-after.png",
        },
    ],
}
