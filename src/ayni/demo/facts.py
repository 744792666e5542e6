"""The default programme's cited facts: UNICEF Peru Cooperation Programme 2012–2016.

Every record here carries its citation. Anything the demo needs beyond these facts lives in
``demo.py`` and is marked illustrative.
"""

from __future__ import annotations

from decimal import Decimal

ABOUT = (
    "UNICEF Peru, 'About UNICEF Peru' (from its 2011 annual report), "
    "https://www.unicef.org/peru/spanish/about_25282.htm"
)
CPD = (
    "UNICEF Peru Country Programme Document 2012–2016, E/ICEF/2011/P/L.44, approved "
    "10 February 2012 (copy: https://livrozilla.com/doc/1606818/cpd---unicef)"
)
AR2013 = (
    "UNICEF Peru annual report 2013, https://vdocuments.site/peru-annualreport-2013-unicef-"
    "peru-has-made-remarkable-progress-in-reducing-child.html"
)
CIDA_PROJECT = "UNICEF evaluation database, https://www.unicef.org/evaldatabase/index_102643.html"
CIDA_MTR = (
    "Mid-term evaluation of the CIDA-funded basic education project, 13 June 2014 (chapters on "
    "Amazonas and Apurímac; inferred), https://it.scribd.com/document/421432002/"
    "Peru-14-Evaluacion-de-Medio-Termino-Full-Report"
)
MMN_PILOT = (
    "Sistematización de la experiencia peruana sobre suplementación con multimicronutrientes "
    "en Apurímac, Ayacucho, Huancavelica 2009–2011 (MINSA, CENAN-INS, UNICEF, WFP), "
    "https://es.scribd.com/document/426326506/Sistematizacion-Piloto-Multimicronutrientes-"
    "Minsa-Unicef-Pma"
)
PNAIA = (
    "PNAIA 2012–2021, DS 001-2012-MIMP (14 April 2012); second annual progress report, "
    "https://studylib.es/doc/6934614/segundo-informe-anual-de-avances-del-plan"
)
PNAIA_METAS = (
    "As reported by desco, http://desco-opina.blogspot.com/2021/11/"
    "el-cuidado-de-nuestras-ninas-ninos-y.html"
)
ACUERDO_12 = (
    "Acuerdo Nacional, policy 12, http://acuerdonacional.pe/politicas-de-estado-del-acuerdo-"
    "nacional/politicas-de-estado%E2%80%8B/politicas-de-estado-ingles/ii-equity-and-social-"
    "justice/12-universal-access-to-gratuitous-and-quality-public-education-and-promotion-and-"
    "defense-of-culture-and-sport/"
)
ACUERDO_16 = (
    "Acuerdo Nacional, policy 16, http://acuerdonacional.pe/politicas-de-estado-del-acuerdo-"
    "nacional/politicas-de-estado%E2%80%8B/politicas-de-estado-ingles/ii-equity-and-social-"
    "justice/16-strengthening-of-family-protection-and-promotion-of-children-adolescence-and-"
    "youth/"
)
BICENTENARIO = (
    "Plan Bicentenario: El Perú hacia el 2021 (CEPLAN, DS 054-2011-PCM); axes 1–3: "
    "https://ru.scribd.com/document/424710337/planeamiento-estrategico ; axes 4–6 as reported "
    "by https://huachos.com/detalle/blog-buscando-america-plan-bicentenario-el-peru-hacia-el-"
    "2021-noticia-1010"
)

PROGRAMME = {
    "code": "peru-2012-2016",
    "title_es": "Programa de Cooperación Perú–UNICEF 2012–2016",
    "title_en": "Peru–UNICEF Cooperation Programme 2012–2016",
    "start_year": 2012,
    "end_year": 2016,
    "planned_total": Decimal("47150000.00"),
    "currency": "USD",
    "source": f"{ABOUT}; {CPD}",
}
FUNDED_SHARE = Decimal("0.37")  # "only 37% financed" (ABOUT)

COMPONENTS = [
    ("C1", "Supervivencia y desarrollo infantil", "Child survival and development"),
    ("C2", "Educación básica, equitativa y de calidad", "Basic, equal, high-quality education"),
    ("C3", "Protección de niñas, niños y adolescentes", "Protection of children and adolescents"),
    (
        "C4",
        "Políticas, inversión social y difusión de conocimiento",
        "Policies, social investment and dissemination of knowledge",
    ),
]

APPROACHES = [
    ("rights", "Enfoque de derechos", "Rights"),
    ("gender", "Igualdad de género", "Gender equality"),
    ("interculturality", "Interculturalidad", "Interculturality"),
    ("environment", "Sostenibilidad ambiental", "Environmental sustainability"),
    ("c4d", "Comunicación para el desarrollo", "Communication for development"),
    ("family", "Participación de la familia", "Family participation"),
    ("community-surveillance", "Vigilancia comunitaria", "Community surveillance"),
    (
        "participation",
        "Participación de niñas, niños y adolescentes (incluido el deporte)",
        "Child and adolescent participation (sports among others)",
    ),
    ("emergency", "Preparación y respuesta a emergencias", "Emergency preparedness and response"),
]

FOCUS_POPULATIONS = [
    ("amazonian-indigenous", "Niñez indígena amazónica", "Amazonian indigenous children"),
    ("andean-indigenous", "Niñez indígena andina", "Andean indigenous children"),
    (
        "urban-poor",
        "Niñez en pobreza y pobreza extrema urbana",
        "Children in urban poverty and extreme poverty",
    ),
]

# code, name, acronym, type, source
ORGANISATIONS = [
    ("Mesa de Concertación para la Lucha contra la Pobreza", "MCLCP", "coordination_body", ABOUT),
    ("Childhood Promotion Group", "", "coordination_body", ABOUT),
    ("Canadian International Development Agency", "CIDA", "bilateral_donor", ABOUT),
    ("Plan International", "PLAN", "ngo", ABOUT),
    ("CARE", "CARE", "ngo", ABOUT),
    ("Registro Nacional de Identificación y Estado Civil", "RENIEC", "government_national", AR2013),
    ("Ministerio de Salud", "MINSA", "government_national", MMN_PILOT),
    ("Programa Mundial de Alimentos", "PMA/WFP", "un_agency", MMN_PILOT),
    ("Gobierno Regional de Apurímac", "GORE Apurímac", "government_regional", AR2013),
    ("Gobierno Regional de Ayacucho", "GORE Ayacucho", "government_regional", AR2013),
    ("Gobierno Regional del Cusco", "GORE Cusco", "government_regional", AR2013),
]

# code, kind, scheme, name_es, name_en, INEI department codes, source
FOCUS_ZONES = [
    (
        "assisted-andean-regions-2013",
        "Regiones andinas apoyadas por UNICEF (2013)",
        "Andean regions assisted by UNICEF (2013)",
        ["08", "03", "05"],
        AR2013,
    ),
    (
        "cida-education-regions",
        "Regiones del proyecto de educación básica (ACDI) — parcial",
        "Basic education project regions (CIDA) — partial: 2 of 5",
        ["01", "03"],
        CIDA_MTR,
    ),
    (
        "mmn-pilot-2009-2011",
        "Piloto de multimicronutrientes 2009–2011",
        "Multi-micronutrient pilot 2009–2011",
        ["03", "05", "09"],
        MMN_PILOT,
    ),
]

# framework code, kind, name_es, name_en, source, goals [(code, es, en, source, illustrative)]
FRAMEWORKS = [
    (
        "pnaia-2012-2021",
        "national_plan",
        "Plan Nacional de Acción por la Infancia y la Adolescencia 2012–2021",
        "National Action Plan for Children and Adolescents 2012–2021",
        PNAIA,
        [
            (
                "OE1",
                "Garantizar el crecimiento y desarrollo integral de niñas y niños de 0 a 5 años "
                "de edad.",
                "Guarantee the growth and integral development of children aged 0 to 5.",
                PNAIA,
                False,
            ),
            (
                "M1",
                "Desnutrición crónica de la primera infancia se reduce al 5%.",
                "Chronic malnutrition in early childhood falls to 5%.",
                PNAIA_METAS,
                False,
            ),
            (
                "M2",
                "100% de niñas y niños de 3 a 5 años acceden a educación inicial de calidad.",
                "100% of children aged 3–5 access quality initial education.",
                PNAIA_METAS,
                False,
            ),
            (
                "M3",
                "70% de estudiantes de segundo grado con nivel suficiente en comprensión lectora "
                "y matemática.",
                "70% of second-grade pupils at a sufficient level in reading and mathematics.",
                PNAIA_METAS,
                False,
            ),
            (
                "M4",
                "La tasa de maternidad adolescente se reduce en 20%.",
                "The adolescent motherhood rate falls by 20%.",
                PNAIA_METAS,
                False,
            ),
            (
                "M6",
                "Se reduce la violencia familiar contra niñas, niños y adolescentes.",
                "Family violence against children and adolescents is reduced.",
                PNAIA_METAS,
                False,
            ),
        ],
    ),
    (
        "acuerdo-nacional",
        "state_policy",
        "Acuerdo Nacional — políticas de Estado",
        "National Agreement — state policies",
        "Acuerdo Nacional, signed 22 July 2002, https://acuerdonacional.pe/",
        [
            (
                "P12",
                "Acceso universal a una educación pública gratuita y de calidad y promoción y "
                "defensa de la cultura y del deporte",
                "Universal access to gratuitous and quality public education and promotion and "
                "defense of culture and sport",
                ACUERDO_12,
                False,
            ),
            (
                "P16",
                "Fortalecimiento de la familia, protección y promoción de la niñez, la "
                "adolescencia y la juventud",
                "Strengthening of family, protection and promotion of children, adolescence and "
                "youth",
                ACUERDO_16,
                False,
            ),
        ],
    ),
    (
        "plan-bicentenario",
        "national_plan",
        "Plan Bicentenario: El Perú hacia el 2021",
        "Bicentennial Plan: Peru towards 2021 (Plan Perú 2021)",
        BICENTENARIO,
        [
            (
                "E1",
                "Derechos fundamentales y dignidad de las personas",
                "Fundamental rights and dignity of persons",
                BICENTENARIO,
                False,
            ),
            (
                "E2",
                "Oportunidades y acceso a los servicios",
                "Opportunities and access to services",
                BICENTENARIO,
                False,
            ),
            ("E3", "Estado y gobernabilidad", "State and governance", BICENTENARIO, False),
            (
                "E4",
                "Economía, competitividad y empleo",
                "Economy, competitiveness and employment",
                BICENTENARIO,
                False,
            ),
            (
                "E5",
                "Desarrollo regional e infraestructura",
                "Regional development and infrastructure",
                BICENTENARIO,
                False,
            ),
            (
                "E6",
                "Recursos naturales y ambiente",
                "Natural resources and environment",
                BICENTENARIO,
                False,
            ),
        ],
    ),
    (
        "undaf-2012-2016",
        "undaf",
        "Marco de Asistencia de las Naciones Unidas para el Desarrollo (MANUD) 2012–2016",
        "United Nations Development Assistance Framework (UNDAF) 2012–2016",
        f"{ABOUT} (its outcome statements were not found in the sources: none is loaded)",
        [],
    ),
    (
        "mdg",
        "mdg",
        "Objetivos de Desarrollo del Milenio",
        "Millennium Development Goals",
        "United Nations Millennium Declaration (2000); goal titles summarised for the demo",
        [
            (
                "ODM1",
                "Erradicar la pobreza extrema y el hambre",
                "Eradicate extreme poverty and hunger",
                "",
                True,
            ),
            (
                "ODM2",
                "Lograr la enseñanza primaria universal",
                "Achieve universal primary education",
                "",
                True,
            ),
            ("ODM4", "Reducir la mortalidad infantil", "Reduce child mortality", "", True),
            ("ODM5", "Mejorar la salud materna", "Improve maternal health", "", True),
        ],
    ),
    (
        "crc",
        "crc",
        "Convención sobre los Derechos del Niño",
        "Convention on the Rights of the Child",
        "Convention on the Rights of the Child (1989); article titles summarised for the demo",
        [
            (
                "Art. 7",
                "Registro, nombre y nacionalidad",
                "Birth registration, name, nationality",
                "",
                True,
            ),
            (
                "Art. 19",
                "Protección contra toda forma de violencia",
                "Protection from all forms of violence",
                "",
                True,
            ),
            ("Art. 24", "Salud y servicios de salud", "Health and health services", "", True),
            ("Art. 28", "Educación", "Education", "", True),
        ],
    ),
]

# Evidence in 2011 (ABOUT): kind, es, en, department codes, partner acronyms, extra source
STUDIES_2011 = [
    (
        "evaluation",
        "Evaluación de la estrategia de comunicación del programa Juntos",
        "Evaluation of the communication strategy of the Juntos conditional cash transfer "
        "programme",
        [],
        [],
        "",
    ),
    (
        "evaluation",
        "Evaluación de los programas de Educación Intercultural Bilingüe (EIB)",
        "Evaluation of the Intercultural Bilingual Education (IBE) programmes",
        [],
        [],
        "",
    ),
    (
        "pilot",
        "Piloto de suplementación con multimicronutrientes (desnutrición crónica y anemia)",
        "Multi-micronutrient supplementation pilot (chronic malnutrition and anaemia)",
        ["03", "05", "09"],
        ["MINSA", "PMA/WFP"],
        MMN_PILOT,
    ),
    (
        "study",
        "Servicios de salud y prácticas de cuidado del recién nacido (muertes neonatales)",
        "Health services and newborn care practices (neonatal deaths)",
        [],
        [],
        "",
    ),
]
