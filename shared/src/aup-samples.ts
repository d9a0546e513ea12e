/**
 * Harbour's sample acceptable use policies, one per audience, written for Harbour. The
 * server seeds them as version 1 (published) on first start; the agent carries them as
 * its built-in fallback for a first start with nothing cached. Schools edit them in the
 * dashboard, which makes new versions.
 */
import type { AupAudience, AupContent, AupSettings } from './aup.js';

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
  },
};
