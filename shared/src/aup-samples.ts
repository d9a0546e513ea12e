/**
 * Harbour's sample acceptable use policies, one per audience, written for Harbour, in
 * English and in Welsh (the same rules, each written in its own language; the Welsh is to
 * be reviewed by a native speaker before release, see docs/i18n.md). The server seeds the
 * English ones as version 1 (published) on first start; the agent carries them as its
 * built-in fallback for a first start with nothing cached. Schools start from either in the
 * dashboard and edit them, which makes new versions.
 */
import type { AupAudience, AupContent, AupSettings } from './aup.js';
import type { UiLanguage } from './language.js';

export const sampleAudiences: AupAudience[] = [
  { id: 'ks1', name: 'Key Stage 1 pupils', description: 'Pupils aged 5 to 7' },
  { id: 'ks2', name: 'Key Stage 2 pupils', description: 'Pupils aged 7 to 11' },
  { id: 'staff', name: 'Staff', description: 'Teachers, teaching assistants and other staff' },
  { id: 'visitors', name: 'Visitors and governors', description: 'Visitors, supply staff and governors' },
];

export const sampleSettings: AupSettings = {
  defaultAudience: 'ks2',
  rules: [],
  expiryMonth: 9,
  expiryDay: 1,
};

export const samplePolicies: Record<string, AupContent> = {
  ks1: {
    title: 'Our computer rules',
    layout: 'large',
    intro: 'These rules keep us safe on the computer.',
    rules: [
      { icon: 'ask', iconLabel: 'A hand up to ask', text: 'I ask a grown-up before I use the computer.' },
      { icon: 'click', iconLabel: 'A finger pressing', text: 'I only press things my teacher says I can.' },
      { icon: 'secret', iconLabel: 'A finger on lips', text: 'I keep my name and password secret.' },
      { icon: 'kind', iconLabel: 'A heart', text: 'I am kind to everyone.' },
      {
        icon: 'screen',
        iconLabel: 'A screen turned off',
        text: 'If I see something I do not like, I turn off the screen and tell a grown-up.',
      },
      { icon: 'eyes', iconLabel: 'Eyes looking', text: 'The school can see what I do on the computer.' },
    ],
    closing: 'I will follow these rules.',
    language: 'en',
  },
  ks2: {
    title: 'Using computers at school',
    layout: 'standard',
    intro:
      'The school computers and internet are here to help you learn. These rules keep you and everyone else safe. Please read them carefully.',
    rules: [
      {
        icon: 'ask',
        iconLabel: 'A raised hand',
        text: 'I will only use the computers when an adult has said I can.',
      },
      {
        icon: 'lock',
        iconLabel: 'A padlock',
        text: 'I will log in with my own account and keep my password to myself. I will never use someone else’s.',
      },
      {
        icon: 'click',
        iconLabel: 'A mouse pointer',
        text: 'I will only visit websites, games and apps my teacher has agreed to. I will not try to get round the school’s filters.',
      },
      {
        icon: 'secret',
        iconLabel: 'A finger on lips',
        text: 'I will not share my full name, address, phone number, school or photos of myself with people online.',
      },
      {
        icon: 'kind',
        iconLabel: 'A heart',
        text: 'I will be polite and kind in everything I write or send. I will not send anything that could upset someone.',
      },
      {
        icon: 'email',
        iconLabel: 'An envelope',
        text: 'I will not open messages or attachments from people I do not know, and I will tell an adult about them.',
      },
      {
        icon: 'download',
        iconLabel: 'A download arrow',
        text: 'I will not download or install anything without asking an adult first.',
      },
      {
        icon: 'camera',
        iconLabel: 'A camera',
        text: 'I will only take or share photos and videos when my teacher says I can.',
      },
      {
        icon: 'screen',
        iconLabel: 'A screen turned off',
        text: 'If I see anything that worries me or makes me feel uncomfortable, I will turn off the screen and tell an adult straight away.',
      },
      {
        icon: 'eyes',
        iconLabel: 'Eyes looking',
        text: 'I know the school checks how the computers and internet are used, including the websites I visit.',
      },
    ],
    closing:
      'If I do not follow these rules, I may not be allowed to use the computers for a while, and my parents or carers may be told.',
    language: 'en',
  },
  staff: {
    title: 'Acceptable use of school ICT: staff',
    layout: 'standard',
    intro:
      'School devices, accounts and internet access are provided for your work with pupils and the school. By agreeing you confirm that you will use them professionally and help keep pupils safe online.',
    rules: [
      {
        text: 'I understand that my use of school devices, networks and accounts is monitored and logged, and that the records may be reviewed.',
      },
      {
        text: 'I will keep my passwords private, lock or sign out of devices I leave, and report any suspected security breach to the technician or DSL.',
      },
      {
        text: 'I will supervise pupils whenever they are online, and teach them the rules of their own agreement.',
      },
      {
        text: 'I will report any online safety concern about a pupil to the designated safeguarding lead the same day, including anything a child tells me or I see on a screen.',
      },
      {
        text: 'If I find unsuitable material I will switch the screen off or close it, not explore it further, and report the device, user and time.',
      },
      {
        text: 'I will only communicate with pupils and parents through school-approved channels, and will not connect with pupils on personal social media.',
      },
      {
        text: 'I will handle personal data in line with data protection law and school policy: only on approved systems, stored securely, encrypted if it leaves the school.',
      },
      {
        text: 'I will only take images of pupils on school equipment and for school purposes, respecting parental consent.',
      },
      {
        text: 'I will not install software, bypass filtering, or use school systems for anything illegal, offensive or for personal gain.',
      },
    ],
    closing:
      'I understand that breaking this agreement may lead to disciplinary action and, where the law is broken, referral to the police.',
    language: 'en',
  },
  visitors: {
    title: 'Acceptable use of school ICT: visitors and governors',
    layout: 'standard',
    intro:
      'You are being given access to the school’s computers or network for a short time. Please read and agree to these terms first.',
    rules: [
      {
        text: 'I understand that all use of school devices and internet access is monitored and may be recorded.',
      },
      {
        text: 'I will use the access only for the purpose it was given for, and sign out when I have finished.',
      },
      {
        text: 'I will not take photos of pupils, or copy or remove any information about pupils or staff.',
      },
      {
        text: 'I will not attempt to bypass filtering or security, or install software on school devices.',
      },
      {
        text: 'If I see anything that suggests a child may be at risk, or find unsuitable material, I will tell the designated safeguarding lead or the office straight away.',
      },
    ],
    closing: 'I understand that access can be withdrawn at any time.',
    language: 'en',
  },
};

/** The same four policies in Welsh: the rules of the English ones, written afresh in Welsh. */
export const samplePoliciesCy: Record<string, AupContent> = {
  ks1: {
    title: 'Ein rheolau cyfrifiadur',
    layout: 'large',
    intro: 'Mae’r rheolau hyn yn ein cadw ni’n ddiogel ar y cyfrifiadur.',
    rules: [
      {
        icon: 'ask',
        iconLabel: 'Llaw i fyny i ofyn',
        text: 'Dw i’n gofyn i oedolyn cyn defnyddio’r cyfrifiadur.',
      },
      {
        icon: 'click',
        iconLabel: 'Bys yn pwyso',
        text: 'Dw i ond yn pwyso ar bethau mae fy athro’n dweud sy’n iawn.',
      },
      {
        icon: 'secret',
        iconLabel: 'Bys ar wefusau',
        text: 'Dw i’n cadw fy enw a fy nghyfrinair yn gyfrinach.',
      },
      { icon: 'kind', iconLabel: 'Calon', text: 'Dw i’n garedig wrth bawb.' },
      {
        icon: 'screen',
        iconLabel: 'Sgrin wedi’i diffodd',
        text: 'Os dw i’n gweld rhywbeth dw i ddim yn ei hoffi, dw i’n diffodd y sgrin ac yn dweud wrth oedolyn.',
      },
      {
        icon: 'eyes',
        iconLabel: 'Llygaid yn edrych',
        text: 'Mae’r ysgol yn gallu gweld beth dw i’n ei wneud ar y cyfrifiadur.',
      },
    ],
    closing: 'Bydda i’n dilyn y rheolau hyn.',
    language: 'cy',
  },
  ks2: {
    title: 'Defnyddio cyfrifiaduron yn yr ysgol',
    layout: 'standard',
    intro:
      'Mae cyfrifiaduron a rhyngrwyd yr ysgol yma i dy helpu di i ddysgu. Mae’r rheolau hyn yn dy gadw di a phawb arall yn ddiogel. Darllena nhw’n ofalus, os gweli di’n dda.',
    rules: [
      {
        icon: 'ask',
        iconLabel: 'Llaw wedi’i chodi',
        text: 'Bydda i ond yn defnyddio’r cyfrifiaduron pan fydd oedolyn wedi dweud y ca i.',
      },
      {
        icon: 'lock',
        iconLabel: 'Clo clap',
        text: 'Bydda i’n mewngofnodi gyda fy nghyfrif fy hun ac yn cadw fy nghyfrinair i fi fy hun. Fydda i byth yn defnyddio cyfrif rhywun arall.',
      },
      {
        icon: 'click',
        iconLabel: 'Pwyntydd llygoden',
        text: 'Bydda i ond yn mynd i wefannau, gemau ac apiau mae fy athro wedi cytuno iddyn nhw. Fydda i ddim yn ceisio mynd heibio i hidlwyr yr ysgol.',
      },
      {
        icon: 'secret',
        iconLabel: 'Bys ar wefusau',
        text: 'Fydda i ddim yn rhannu fy enw llawn, fy nghyfeiriad, fy rhif ffôn, fy ysgol na lluniau ohona i fy hun gyda phobl ar-lein.',
      },
      {
        icon: 'kind',
        iconLabel: 'Calon',
        text: 'Bydda i’n gwrtais ac yn garedig ym mhopeth dw i’n ei ysgrifennu neu’n ei anfon. Fydda i ddim yn anfon dim byd a allai ypsetio rhywun.',
      },
      {
        icon: 'email',
        iconLabel: 'Amlen',
        text: 'Fydda i ddim yn agor negeseuon nac atodiadau gan bobl dw i ddim yn eu hadnabod, a bydda i’n dweud wrth oedolyn amdanyn nhw.',
      },
      {
        icon: 'download',
        iconLabel: 'Saeth lawrlwytho',
        text: 'Fydda i ddim yn lawrlwytho nac yn gosod dim byd heb ofyn i oedolyn yn gyntaf.',
      },
      {
        icon: 'camera',
        iconLabel: 'Camera',
        text: 'Bydda i ond yn tynnu neu’n rhannu lluniau a fideos pan fydd fy athro’n dweud y ca i.',
      },
      {
        icon: 'screen',
        iconLabel: 'Sgrin wedi’i diffodd',
        text: 'Os gwela i unrhyw beth sy’n fy mhoeni neu’n gwneud i fi deimlo’n anghyfforddus, bydda i’n diffodd y sgrin ac yn dweud wrth oedolyn ar unwaith.',
      },
      {
        icon: 'eyes',
        iconLabel: 'Llygaid yn edrych',
        text: 'Dw i’n gwybod bod yr ysgol yn gwirio sut mae’r cyfrifiaduron a’r rhyngrwyd yn cael eu defnyddio, gan gynnwys y gwefannau dw i’n mynd iddyn nhw.',
      },
    ],
    closing:
      'Os na fydda i’n dilyn y rheolau hyn, efallai na cha i ddefnyddio’r cyfrifiaduron am gyfnod, ac efallai y bydd fy rhieni neu fy ngofalwyr yn cael gwybod.',
    language: 'cy',
  },
  staff: {
    title: 'Defnydd derbyniol o TGCh yr ysgol: staff',
    layout: 'standard',
    intro:
      'Mae dyfeisiau, cyfrifon a mynediad i’r rhyngrwyd yr ysgol yn cael eu darparu ar gyfer eich gwaith gyda disgyblion a’r ysgol. Drwy gytuno, rydych chi’n cadarnhau y byddwch chi’n eu defnyddio’n broffesiynol ac yn helpu i gadw disgyblion yn ddiogel ar-lein.',
    rules: [
      {
        text: 'Rwy’n deall bod fy nefnydd o ddyfeisiau, rhwydweithiau a chyfrifon yr ysgol yn cael ei fonitro a’i gofnodi, ac y gall y cofnodion gael eu hadolygu.',
      },
      {
        text: 'Bydda i’n cadw fy nghyfrineiriau’n breifat, yn cloi neu’n allgofnodi o ddyfeisiau rwy’n eu gadael, ac yn rhoi gwybod i’r technegydd neu’r person diogelu dynodedig am unrhyw achos posibl o dorri diogelwch.',
      },
      {
        text: 'Bydda i’n goruchwylio disgyblion pryd bynnag y byddan nhw ar-lein, ac yn dysgu rheolau eu cytundeb eu hunain iddyn nhw.',
      },
      {
        text: 'Bydda i’n rhoi gwybod i’r person diogelu dynodedig am unrhyw bryder diogelwch ar-lein am ddisgybl ar yr un diwrnod, gan gynnwys unrhyw beth mae plentyn yn ei ddweud wrtha i neu rwy’n ei weld ar sgrin.',
      },
      {
        text: 'Os dof i o hyd i ddeunydd anaddas, bydda i’n diffodd neu’n cau’r sgrin, heb ei archwilio ymhellach, ac yn nodi’r ddyfais, y defnyddiwr a’r amser.',
      },
      {
        text: 'Bydda i ond yn cyfathrebu â disgyblion a rhieni drwy sianeli sydd wedi’u cymeradwyo gan yr ysgol, a fydda i ddim yn cysylltu â disgyblion ar gyfryngau cymdeithasol personol.',
      },
      {
        text: 'Bydda i’n trin data personol yn unol â chyfraith diogelu data a pholisi’r ysgol: ar systemau cymeradwy yn unig, wedi’u storio’n ddiogel, ac wedi’u hamgryptio os ydyn nhw’n gadael yr ysgol.',
      },
      {
        text: 'Bydda i ond yn tynnu lluniau o ddisgyblion ar offer yr ysgol ac at ddibenion yr ysgol, gan barchu caniatâd rhieni.',
      },
      {
        text: 'Fydda i ddim yn gosod meddalwedd, yn osgoi’r hidlo, nac yn defnyddio systemau’r ysgol ar gyfer unrhyw beth anghyfreithlon, sarhaus neu er budd personol.',
      },
    ],
    closing:
      'Rwy’n deall y gall torri’r cytundeb hwn arwain at gamau disgyblu ac, os yw’r gyfraith yn cael ei thorri, at atgyfeirio i’r heddlu.',
    language: 'cy',
  },
  visitors: {
    title: 'Defnydd derbyniol o TGCh yr ysgol: ymwelwyr a llywodraethwyr',
    layout: 'standard',
    intro:
      'Rydych chi’n cael mynediad i gyfrifiaduron neu rwydwaith yr ysgol am gyfnod byr. Darllenwch y telerau hyn a chytuno iddyn nhw yn gyntaf, os gwelwch yn dda.',
    rules: [
      {
        text: 'Rwy’n deall bod pob defnydd o ddyfeisiau a mynediad i’r rhyngrwyd yr ysgol yn cael ei fonitro ac y gall gael ei gofnodi.',
      },
      {
        text: 'Bydda i’n defnyddio’r mynediad at y diben y cafodd ei roi yn unig, ac yn allgofnodi pan fydda i wedi gorffen.',
      },
      {
        text: 'Fydda i ddim yn tynnu lluniau o ddisgyblion, nac yn copïo neu’n symud unrhyw wybodaeth am ddisgyblion neu staff.',
      },
      {
        text: 'Fydda i ddim yn ceisio osgoi’r hidlo na’r diogelwch, nac yn gosod meddalwedd ar ddyfeisiau’r ysgol.',
      },
      {
        text: 'Os gwela i unrhyw beth sy’n awgrymu y gallai plentyn fod mewn perygl, neu os dof i o hyd i ddeunydd anaddas, bydda i’n dweud wrth y person diogelu dynodedig neu’r swyddfa ar unwaith.',
      },
    ],
    closing: 'Rwy’n deall y gall y mynediad gael ei dynnu’n ôl ar unrhyw adeg.',
    language: 'cy',
  },
};

/** Harbour's samples by language, for "start from the sample" in the dashboard's policy editor. */
export const samplePoliciesByLanguage: Record<UiLanguage, Record<string, AupContent>> = {
  en: samplePolicies,
  cy: samplePoliciesCy,
};
