DROP TABLE IF EXISTS instructor_challenges;
DROP TABLE IF EXISTS instructor_presence;
