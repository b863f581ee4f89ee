"""The live side of the hub: the media engine's lifecycle, what it observes recorded as events,
recordings turned into captures, the program outputs kept in step with the store, and who may
publish and watch what. Not HTTP: web/ serves the WHIP/WHEP routes over it."""
