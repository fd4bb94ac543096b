"""The platform's routes that use sensei: the student's booking and the instructors' admin."""
